using System.Buffers.Binary;
using System.Text;

namespace EdgeRnn.BuildTasks;

/// <summary>The outcome of <see cref="ElfVersionPatcher.WeakenVersionNeed(string, string)"/>.</summary>
public enum ElfPatchResult
{
    /// <summary>The version requirement was strong and is now weak (the file was rewritten).</summary>
    Patched,

    /// <summary>The requirement was already weak; the file is unchanged.</summary>
    AlreadyWeak,

    /// <summary>The file does not require that version at all; the file is unchanged.</summary>
    NotRequired,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF shared library as weak (VER_FLG_WEAK in its Vernaux entry in
/// <c>.gnu.version_r</c>), so the dynamic loader accepts a library that lacks the version as long as no symbol bound
/// to it is actually used. The rest of the file is untouched.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107.0's libLibTorchSharp.so requires GLIBCXX_3.4.32 (GCC 13's libstdc++) only for
/// <c>std::ios_base_library_init()</c>, which nothing calls; Debian 12 ships GLIBCXX_3.4.30, so without this the load
/// fails with a misleading TypeInitializationException. Layout per the System V gABI and the LSB's symbol versioning
/// chapter: Elf64_Verneed {vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32} and Elf64_Vernaux
/// {vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32}; <c>sh_link</c> of the section names its
/// string table. Only 64-bit little-endian files are handled (what linux-x64 and linux-arm64 use).
/// </remarks>
public static class ElfVersionPatcher
{
    /// <summary>VER_FLG_WEAK: "weak version identifier".</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtGnuVerNeed = 0x6ffffffe;

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> in <paramref name="path"/>. The file is
    /// rewritten through a temporary file and a rename, so a hard link into the NuGet cache is never modified.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file or its tables are out of bounds.</exception>
    public static ElfPatchResult WeakenVersionNeed(string path, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(version);
        byte[] image = File.ReadAllBytes(path);
        ElfPatchResult result = WeakenVersionNeed(image, version);
        if (result == ElfPatchResult.Patched)
        {
            string temp = path + ".patching";
            File.WriteAllBytes(temp, image);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            }

            File.Move(temp, path, overwrite: true);
        }

        return result;
    }

    /// <summary>Patches <paramref name="image"/> (a whole ELF file) in memory; see <see cref="WeakenVersionNeed(string, string)"/>.</summary>
    /// <exception cref="InvalidDataException">The image is not a 64-bit little-endian ELF file or its tables are out of bounds.</exception>
    public static ElfPatchResult WeakenVersionNeed(Span<byte> image, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        }

        ulong shoff = U64(image, 0x28);
        ushort shentsize = U16(image, 0x3A);
        ushort shnum = U16(image, 0x3C);
        if (shentsize < 64)
        {
            throw new InvalidDataException($"Section header entries of {shentsize} bytes are too small.");
        }

        byte[] wanted = Encoding.ASCII.GetBytes(version);
        bool found = false, patched = false;
        for (int s = 0; s < shnum; s++)
        {
            int header = Checked(image, shoff + ((ulong)s * shentsize), 64);
            if (U32(image, header + 4) != ShtGnuVerNeed)
            {
                continue;
            }

            int sectionOffset = Checked(image, U64(image, header + 0x18), U64(image, header + 0x20));
            uint link = U32(image, header + 0x28);
            if (link >= shnum)
            {
                throw new InvalidDataException($"SHT_GNU_verneed section {s} links to string table {link} of {shnum}.");
            }

            int strHeader = Checked(image, shoff + ((ulong)link * shentsize), 64);
            int strOffset = Checked(image, U64(image, strHeader + 0x18), U64(image, strHeader + 0x20));
            int strSize = (int)U64(image, strHeader + 0x20);
            int need = sectionOffset;
            for (int guard = 0; guard < 4096; guard++)
            {
                Checked(image, (ulong)need, 16);
                ushort count = U16(image, need + 2);
                int aux = need + (int)U32(image, need + 8);
                for (int a = 0; a < count; a++)
                {
                    Checked(image, (ulong)aux, 16);
                    uint name = U32(image, aux + 8);
                    if (name < strSize && NameEquals(image.Slice(strOffset + (int)name, strSize - (int)name), wanted))
                    {
                        found = true;
                        ushort flags = U16(image, aux + 4);
                        if ((flags & VerFlagWeak) == 0)
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(image[(aux + 4)..], (ushort)(flags | VerFlagWeak));
                            patched = true;
                        }
                    }

                    uint nextAux = U32(image, aux + 12);
                    if (nextAux == 0)
                    {
                        break;
                    }

                    aux += (int)nextAux;
                }

                uint next = U32(image, need + 12);
                if (next == 0)
                {
                    break;
                }

                need += (int)next;
            }
        }

        return patched ? ElfPatchResult.Patched : found ? ElfPatchResult.AlreadyWeak : ElfPatchResult.NotRequired;
    }

    private static bool NameEquals(ReadOnlySpan<byte> strings, ReadOnlySpan<byte> wanted) =>
        strings.Length > wanted.Length && strings.StartsWith(wanted) && strings[wanted.Length] == 0;

    private static int Checked(ReadOnlySpan<byte> image, ulong offset, ulong length)
    {
        if (offset > (ulong)image.Length || length > (ulong)image.Length - offset)
        {
            throw new InvalidDataException($"ELF table at offset {offset} (+{length} bytes) lies outside the {image.Length}-byte file.");
        }

        return (int)offset;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
