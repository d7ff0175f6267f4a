using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Ml.Ood.Transforms.Onnx;

namespace Ml.Ood.Transforms.Persistence;

/// <summary>
/// The two entries of each large head (<see cref="LargeHeadEntry"/>) as <see cref="HeadStubs.Rewrite"/> meets them, matched
/// with the saved stubs that stand for them once every entry has been read (a .zip may list them in any order). The bank
/// streams from its entry to a data file in a private folder, hashed as it goes, and must match the SHA-256 and size its
/// model records; the model's content hash covers that record.
/// </summary>
internal sealed class LargeHeadParts : IDisposable
{
    private readonly Dictionary<string, (string Entry, byte[] Bytes)> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Bank> _banks = new(StringComparer.Ordinal);
    private readonly List<string> _stubs = [];

    /// <summary>Reads a large head's part (its CRC and size checked) and keeps it for <see cref="Resolve"/>.</summary>
    public void Collect(ZipArchiveEntry entry)
    {
        string folder = FolderOf(entry.FullName);
        using var from = new CheckedZipEntry(entry);
        if (entry.Name == LargeHeadEntry.ModelEntryName)
        {
            // The model alone is small: its bank is external. A large "model" entry is a damaged or forged one.
            if (entry.Length > ExternalDataFiles.MinModelBytes)
            {
                throw CheckedZipEntry.Damaged(entry, OodErrors.Format(OodErrors.ZipEntryModelLength, entry.Length, entry.Length));
            }

            using var bytes = new MemoryStream((int)entry.Length);
            from.CopyTo(bytes);
            from.Verify();
            _models[folder] = (entry.FullName, bytes.ToArray());
            return;
        }

        var bankFolder = PrivateFolder.Create();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            using (var data = new FileStream(bankFolder.PathOf(ExternalDataFiles.DataFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var buffer = new byte[1 << 20];
                for (int read; (read = from.Read(buffer)) > 0;)
                {
                    data.Write(buffer, 0, read);
                    hash.AppendData(buffer, 0, read);
                    length += read;
                }
            }
            from.Verify();
            _banks[folder] = new Bank(entry.FullName, bankFolder, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            bankFolder.TryDelete();
            throw;
        }
    }

    /// <summary>A saved stub (at <paramref name="stubEntry"/>, the OnnxTransformer's entry inside the saved form) whose parts must be there.</summary>
    public void ExpectStub(string stubEntry) => _stubs.Add(stubEntry);

    /// <summary>Each expected stub's entry with the real model its parts make.</summary>
    /// <exception cref="InvalidDataException">A part is missing, left over, or does not match its model's record.</exception>
    public List<(string StubEntry, HeadStubs.SetAside Head)> Resolve()
    {
        var heads = new List<(string, HeadStubs.SetAside)>();
        try
        {
            foreach (string stub in _stubs)
            {
                // The stub is <folder>Transform_000/OnnxModel: the saved form's chain is in <folder>, its parts beside it.
                string folder = FolderOf(FolderOf(stub).TrimEnd('/'));
                if (!_models.Remove(folder, out var model))
                {
                    throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadEntryMissing, folder + LargeHeadEntry.ModelEntryName, stub));
                }

                if (!_banks.Remove(folder, out var bank))
                {
                    throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadEntryMissing, folder + LargeHeadEntry.BankEntryName, stub));
                }

                heads.Add((stub, new HeadStubs.SetAside(model.Entry, Open(model.Entry, model.Bytes, bank), HeadIntegrity.Result.Verified)));
            }
            string? left = _models.Values.Select(m => m.Entry).Concat(_banks.Values.Select(b => b.Entry)).FirstOrDefault();
            if (left is not null)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadEntryUnclaimed, left));
            }
        }
        catch
        {
            foreach (var (_, head) in heads)
            {
                head.Model.Dispose();
            }

            throw;
        }
        return heads;
    }

    /// <summary>Deletes the banks no head took.</summary>
    public void Dispose()
    {
        foreach (var bank in _banks.Values)
        {
            bank.Folder.TryDelete();
        }

        _banks.Clear();
    }

    private static OodHeadModel Open(string entry, byte[] model, Bank bank)
    {
        string source = OodErrors.Format(OodErrors.HeadInEntrySubject, entry);
        try
        {
            if (HeadIntegrity.Check(new MemoryStream(model, writable: false), model.Length, source) != HeadIntegrity.Result.Verified)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadBankKeyMissing, entry, HeadIntegrity.HashKey));
            }

            var metadata = OnnxModelStructure.ReadMetadata(new MemoryStream(model, writable: false), model.Length);
            string Recorded(string key) => metadata.TryGetValue(key, out string? value)
                ? value
                : throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadBankKeyMissing, entry, key));
            if (Recorded(LargeHeadEntry.BankLengthKey) != bank.Length.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadBankMismatch, bank.Entry,
                    $"{bank.Length:N0} bytes, recorded {Recorded(LargeHeadEntry.BankLengthKey)}"));
            }

            if (Recorded(LargeHeadEntry.BankHashKey) != bank.Sha256)
            {
                throw new InvalidDataException(OodErrors.Format(OodErrors.LargeHeadBankMismatch, bank.Entry,
                    $"SHA-256 {bank.Sha256}, recorded {Recorded(LargeHeadEntry.BankHashKey)}"));
            }

            var (inputs, outputs) = OnnxModelStructure.ReadSignature(new MemoryStream(model, writable: false), model.Length);
            var info = OodHeadInfo.FromMetadata(metadata, source)
                ?? throw new InvalidDataException(OodErrors.Format(OodErrors.SavedHeadKeyMissing, source, OodHeadInfo.HeadKey));
            OodHeadModel.CheckSignature(info, inputs, outputs, source);
            return new OodHeadModel(OnnxModelSource.FromExternalData(ExternalDataFiles.FromFolder(bank.Folder, model)), info);
        }
        catch
        {
            bank.Folder.TryDelete();
            throw;
        }
    }

    /// <summary>The folder part of an entry's name, with its trailing slash ("" at the root).</summary>
    private static string FolderOf(string entryName)
    {
        int slash = entryName.LastIndexOf('/');
        return slash < 0 ? "" : entryName[..(slash + 1)];
    }

    private sealed record Bank(string Entry, PrivateFolder Folder, long Length, string Sha256);
}
