using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

// Usage: MLComponents.Publicizer <source.dll> <destination.dll>
// Flips the access bits of every TypeDef, MethodDef and Field row to public in a copy of the file, for the compiler
// only (the copy is never loaded). The rows are fixed-size and the flags sit at fixed column offsets, so the patch
// touches a few bytes per row and leaves everything else as it was.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MLComponents.Publicizer <source.dll> <destination.dll>");
    return 2;
}
byte[] bytes = File.ReadAllBytes(args[0]);
using (var pe = new PEReader(new MemoryStream(bytes)))
{
    var md = pe.GetMetadataReader();
    int start = pe.PEHeaders.MetadataStartOffset;
    // TypeDef: Flags (4 bytes) first. Visibility 0x7: NotPublic 0 -> Public 1; any nested access (2..7) -> NestedPublic 2.
    Patch(md, start, TableIndex.TypeDef, 0, 4, v => (v & ~0x7u) | ((v & 0x7) == 0 ? 1u : (v & 0x7) >= 2 ? 2u : v & 0x7));
    // MethodDef: RVA (4), ImplFlags (2), Flags (2). Member access 0x7 -> Public 6.
    Patch(md, start, TableIndex.MethodDef, 6, 2, v => (v & ~0x7u) | 6);
    // Field: Flags (2) first. Field access 0x7 -> Public 6.
    Patch(md, start, TableIndex.Field, 0, 2, v => (v & ~0x7u) | 6);
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
string temporary = args[1] + ".tmp";
File.WriteAllBytes(temporary, bytes);
File.Move(temporary, args[1], overwrite: true);
return 0;

void Patch(MetadataReader md, int metadataStart, TableIndex table, int column, int width, Func<uint, uint> change)
{
    int offset = metadataStart + md.GetTableMetadataOffset(table), rowSize = md.GetTableRowSize(table), rows = md.GetTableRowCount(table);
    for (int i = 0; i < rows; i++)
    {
        var cell = bytes.AsSpan(offset + (i * rowSize) + column, width);
        if (width == 4) BinaryPrimitives.WriteUInt32LittleEndian(cell, change(BinaryPrimitives.ReadUInt32LittleEndian(cell)));
        else BinaryPrimitives.WriteUInt16LittleEndian(cell, (ushort)change(BinaryPrimitives.ReadUInt16LittleEndian(cell)));
    }
}
