// One source file, two uses: MSBuild compiles it (RoslynCodeTaskFactory, netstandard only) into the
// MarkElfVersionWeak task that MLComponents.Trainers.TorchSharp.targets runs on build and publish outputs, and the
// backend assembly compiles it with MLCOMPONENTS_TORCHSHARP defined (the ELF part only) so it can check a loaded copy
// and tests can exercise the patcher on real and doctored files.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MLComponents.TorchSharp.Build
{
    /// <summary>
    /// Reads the GNU symbol-versioning tables of a 64-bit little-endian ELF shared object and marks one needed
    /// version weak: TorchSharp 0.107's libLibTorchSharp.so asks libstdc++.so.6 for GLIBCXX_3.4.32 (GCC 13), which
    /// Debian 12 lacks, although the only symbol under it is GCC 13's marker std::ios_base_library_init, which no
    /// relocation uses. A weak requirement lets ld.so load the library with the older libstdc++.
    /// </summary>
    internal static class ElfWeakVersion
    {
        public const ushort VerFlagWeak = 2;
        private const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        /// <summary>What <see cref="Inspect"/> found.</summary>
        public sealed class Finding
        {
            /// <summary>File offset of the vna_flags field of the requirement (-1: the file does not ask for the version).</summary>
            public long FlagsOffset = -1;

            /// <summary>Current vna_flags.</summary>
            public ushort Flags;

            /// <summary>The requirement's version index (vna_other), as used in the versym table.</summary>
            public ushort Index;

            /// <summary>Names of every dynamic symbol bound to that version index.</summary>
            public readonly List<string> Symbols = new List<string>();

            /// <summary>True when the requirement is already weak.</summary>
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>
        /// Finds the requirement of <paramref name="version"/> from <paramref name="library"/> in an ELF image and the
        /// dynamic symbols bound to it. Throws <see cref="InvalidDataException"/> on anything that is not a well-formed
        /// ELF64 little-endian image.
        /// </summary>
        public static Finding Inspect(byte[] elf, string library, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file");
            }
            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            }
            long shoff = (long)U64(elf, 0x28);
            int shentsize = U16(elf, 0x3A);
            int shnum = U16(elf, 0x3C);
            if (shentsize < 64)
            {
                throw new InvalidDataException("section header entries are too small");
            }
            if (shnum == 0 && shoff != 0)
            {
                shnum = checked((int)U64(elf, shoff + 32)); // extended numbering: the count is section 0's sh_size
            }
            var sections = new Section[shnum];
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + ((long)i * shentsize);
                Need(elf, h, 64);
                sections[i] = new Section(U32(elf, h + 4), (long)U64(elf, h + 24), (long)U64(elf, h + 32), U32(elf, h + 40), U32(elf, h + 44), (long)U64(elf, h + 56));
            }
            var result = new Finding();
            Section? verneed = Find(sections, ShtGnuVerneed);
            if (verneed == null)
            {
                return result;
            }
            Section strings = At(sections, verneed.Value.Link);
            long entry = verneed.Value.Offset;
            for (uint n = 0; n < verneed.Value.Info; n++)
            {
                Need(elf, entry, 16);
                int count = U16(elf, entry + 2);
                string file = Str(elf, strings, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int a = 0; a < count; a++)
                {
                    Need(elf, aux, 16);
                    if (file == library && Str(elf, strings, U32(elf, aux + 8)) == version)
                    {
                        result.FlagsOffset = aux + 4;
                        result.Flags = U16(elf, aux + 4);
                        result.Index = U16(elf, aux + 6);
                    }
                    aux += U32(elf, aux + 12);
                }
                uint next = U32(elf, entry + 12);
                if (next == 0)
                {
                    break;
                }
                entry += next;
            }
            if (result.FlagsOffset < 0)
            {
                return result;
            }
            Section dynsym = Find(sections, ShtDynsym) ?? throw new InvalidDataException("no .dynsym section");
            Section versym = Find(sections, ShtGnuVersym) ?? throw new InvalidDataException("no .gnu.version section");
            Section dynstr = At(sections, dynsym.Link);
            long symbols = dynsym.Size / Math.Max(24, dynsym.EntrySize);
            if (versym.Size < symbols * 2)
            {
                throw new InvalidDataException(".gnu.version is shorter than .dynsym");
            }
            for (long s = 0; s < symbols; s++)
            {
                int index = U16(elf, versym.Offset + (s * 2)) & 0x7fff;
                if (index == result.Index)
                {
                    long sym = dynsym.Offset + (s * Math.Max(24, dynsym.EntrySize));
                    Need(elf, sym, 24);
                    result.Symbols.Add(Str(elf, dynstr, U32(elf, sym)));
                }
            }
            return result;
        }

        /// <summary>
        /// Null when the requirement may be made weak (every symbol bound to it is <paramref name="allowedSymbol"/>),
        /// else the first other symbol: weakening would then hide a real dependency on the newer library.
        /// </summary>
        public static string? OtherSymbol(Finding finding, string allowedSymbol)
        {
            foreach (string symbol in finding.Symbols)
            {
                if (symbol != allowedSymbol)
                {
                    return symbol;
                }
            }
            return null;
        }

        /// <summary>Sets VER_FLG_WEAK in the requirement found by <see cref="Inspect"/> (in memory).</summary>
        public static void MarkWeak(byte[] elf, Finding finding)
        {
            ushort flags = (ushort)(finding.Flags | VerFlagWeak);
            elf[finding.FlagsOffset] = (byte)flags;
            elf[finding.FlagsOffset + 1] = (byte)(flags >> 8);
            finding.Flags = flags;
        }

        private struct Section
        {
            public Section(uint type, long offset, long size, uint link, uint info, long entrySize)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
                EntrySize = entrySize;
            }

            public uint Type;
            public long Offset, Size, EntrySize;
            public uint Link, Info;
        }

        private static Section? Find(Section[] sections, uint type)
        {
            foreach (var s in sections)
            {
                if (s.Type == type)
                {
                    return s;
                }
            }
            return null;
        }

        private static Section At(Section[] sections, uint index) =>
            index < sections.Length ? sections[index] : throw new InvalidDataException($"section link {index} is out of range");

        private static string Str(byte[] elf, Section table, uint offset)
        {
            long start = table.Offset + offset;
            if (offset >= table.Size || start >= elf.Length)
            {
                throw new InvalidDataException("string offset is out of range");
            }
            long end = start;
            while (end < elf.Length && end < table.Offset + table.Size && elf[end] != 0)
            {
                end++;
            }
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        private static void Need(byte[] elf, long offset, int count)
        {
            if (offset < 0 || offset + count > elf.Length)
            {
                throw new InvalidDataException("a table runs past the end of the file");
            }
        }

        private static ushort U16(byte[] b, long o)
        {
            Need(b, o, 2);
            return (ushort)(b[o] | (b[o + 1] << 8));
        }

        private static uint U32(byte[] b, long o)
        {
            Need(b, o, 4);
            return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        }

        private static ulong U64(byte[] b, long o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);
    }
}

#if !MLCOMPONENTS_TORCHSHARP
namespace MLComponents.TorchSharp.Build
{
    using Microsoft.Build.Framework;
    using Microsoft.Build.Utilities;

    /// <summary>
    /// Marks the GLIBCXX_3.4.32 requirement of every given libLibTorchSharp.so copy weak, refusing (an error, so the
    /// build fails) when any dynamic symbol other than the marker is bound to it. Each copy is rewritten as a new file
    /// renamed over the old one, so an output that is a hard link into the NuGet cache leaves the cache untouched.
    /// </summary>
    public sealed class MarkElfVersionWeak : Task
    {
        /// <summary>The output copies to patch.</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The needed library whose version requirement is weakened.</summary>
        public string Library { get; set; } = "libstdc++.so.6";

        /// <summary>The version made weak.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        /// <summary>The only symbol allowed under that version (mangled std::ios_base_library_init()).</summary>
        public string AllowedSymbol { get; set; } = "_ZSt21ios_base_library_initv";

        /// <inheritdoc/>
        public override bool Execute()
        {
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    Patch(path);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    Log.LogError($"MLComponents.Trainers.TorchSharp: cannot patch {path}: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }

        private void Patch(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            var finding = ElfWeakVersion.Inspect(elf, Library, Version);
            if (finding.FlagsOffset < 0)
            {
                Log.LogMessage(MessageImportance.Low, $"{path} does not need {Version} from {Library}; left as it is.");
                return;
            }
            if (ElfWeakVersion.OtherSymbol(finding, AllowedSymbol) is string symbol)
            {
                Log.LogError($"MLComponents.Trainers.TorchSharp: refusing to mark {Version} weak in {path}: symbol '{symbol}' needs that " +
                    $"version (only '{AllowedSymbol}', GCC 13's marker, may). This TorchSharp build needs a newer libstdc++ than this system has.");
                return;
            }
            if (finding.IsWeak)
            {
                Log.LogMessage(MessageImportance.Low, $"{path}: {Version} is already weak.");
                return;
            }
            ElfWeakVersion.MarkWeak(elf, finding);
            // New file + rename: the output copy may be a hard link into the NuGet cache, which must stay pristine.
            // The copy keeps the source's timestamp so the next incremental build sees it as up to date.
            var written = File.GetLastWriteTimeUtc(path);
            string temp = path + ".mlcomponents-tmp";
            File.Copy(path, temp, true); // keeps the file mode
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Seek(finding.FlagsOffset, SeekOrigin.Begin);
                stream.Write(elf, (int)finding.FlagsOffset, 2);
            }
            File.SetLastWriteTimeUtc(temp, written);
            Rename(temp, path);
            Log.LogMessage(MessageImportance.Normal, $"Marked {Version} (needed from {Library}) weak in {path}.");
        }

        // rename(2) over the target: File.Move(string, string, bool) exists on every .NET Core MSBuild, but this file
        // compiles against netstandard, which lacks it.
        private static void Rename(string from, string to)
        {
            var move = typeof(File).GetMethod("Move", new[] { typeof(string), typeof(string), typeof(bool) });
            if (move != null)
            {
                move.Invoke(null, new object[] { from, to, true });
                return;
            }
            File.Delete(to);
            File.Move(from, to);
        }
    }
}
#endif
