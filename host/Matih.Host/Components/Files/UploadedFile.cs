using Microsoft.AspNetCore.Components.Forms;

namespace Matih.Host.Components.Files;

/// <summary>A file the browser uploaded, saved under the data directory's <c>uploads</c> folder; deleted when disposed.</summary>
/// <param name="Path">Where it is on disk.</param>
/// <param name="FileName">The name the user's file had, which says its format.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record UploadedFile(string Path, string FileName, long Size) : IDisposable
{
    private const int BufferBytes = 1024 * 1024;

    /// <summary>
    /// Streams <paramref name="file"/> to disk without holding it in memory, reporting the bytes copied so far. A
    /// partial file is deleted when the copy fails.
    /// </summary>
    /// <exception cref="IOException">The file is larger than <paramref name="maxBytes"/> or the browser stopped sending it.</exception>
    public static async Task<UploadedFile> SaveAsync(IBrowserFile file, string folder, long maxBytes, Action<long> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(progress);
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"{Guid.NewGuid():N}{System.IO.Path.GetExtension(file.Name)}");
        try
        {
            await using var source = file.OpenReadStream(maxBytes, cancellationToken);
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes, useAsync: true);
            var buffer = new byte[BufferBytes];
            long copied = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                copied += read;
                progress(copied);
            }

            return new UploadedFile(path, System.IO.Path.GetFileName(file.Name), copied);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Deletes the file.</summary>
    public void Dispose() => File.Delete(Path);
}
