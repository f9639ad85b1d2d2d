# A second real-text corpus, for checking defaults on data the suite was not tuned on: Debian package descriptions
# labelled with their archive section, read from this machine's apt lists (`apt-cache dumpavail`; run `apt-get update`
# first if the lists are empty). Writes train.tsv and test.tsv (Label, Text; 80/20) for the TextClassification sample:
#   python3 Benchmarks/Suite/package_sections.py /tmp/pkg
#   dotnet run --project Samples/TextClassification -c Release -- --train /tmp/pkg/train.tsv --test /tmp/pkg/test.tsv
import collections, os, random, re, subprocess, sys

SECTIONS = ['libs', 'python', 'devel', 'utils', 'doc', 'perl', 'net', 'admin', 'science', 'games', 'x11', 'text']
PER_SECTION, WORDS, SEED = 600, 60, 7


def records(text):
    for block in text.split('\n\n'):
        section, description, inside = None, [], False
        for line in block.split('\n'):
            if line.startswith('Section:'):
                section = line.split(':', 1)[1].strip().split('/')[-1]
            elif line.startswith('Description:'):
                description, inside = [line.split(':', 1)[1].strip()], True
            elif inside and line.startswith(' '):
                if line.strip() != '.':
                    description.append(line.strip())
            else:
                inside = False
        if section and description:
            words = re.sub(r'\s+', ' ', ' '.join(description)).replace('"', "'").split(' ')[:WORDS]
            yield section, ' '.join(words)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'package-sections'
    dump = subprocess.run(['apt-cache', 'dumpavail'], capture_output=True, text=True, errors='replace', check=True).stdout
    by_section = collections.defaultdict(list)
    for section, text in records(dump):
        if section in SECTIONS:
            by_section[section].append(text)
    rng = random.Random(SEED)
    rows = []
    for section in SECTIONS:
        texts = sorted(set(by_section[section]))
        if len(texts) < PER_SECTION:
            sys.exit(f"section '{section}' has {len(texts)} descriptions, fewer than {PER_SECTION}: are the apt lists there?")
        rng.shuffle(texts)
        rows += [(section, t) for t in texts[:PER_SECTION]]
    rng.shuffle(rows)
    cut = len(rows) * 4 // 5
    os.makedirs(out, exist_ok=True)
    for name, part in (('train', rows[:cut]), ('test', rows[cut:])):
        path = os.path.join(out, f'{name}.tsv')
        with open(path + '.partial', 'w', encoding='utf-8') as f:
            f.write('Label\tText\n')
            f.writelines(f'{s}\t{t}\n' for s, t in part)
        os.replace(path + '.partial', path)
    print(f'{len(rows)} rows, {len(SECTIONS)} sections: {out}/train.tsv ({cut}), {out}/test.tsv ({len(rows) - cut})')


if __name__ == '__main__':
    main()
