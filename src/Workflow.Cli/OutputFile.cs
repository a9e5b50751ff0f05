using System.Text;

namespace Workflow.Cli;

/// <summary>
/// A file the tool writes appears whole or not at all. It is written beside its place under a hidden name, flushed to the
/// disk, then renamed over the place in one step: a run that fails or is killed half-way leaves the file that was there
/// before (or none), never a truncated one, which in the workflows folder would stop the server's next start.
/// </summary>
public static class OutputFile
{
    public static async Task WriteAsync(FileInfo path, Func<Stream, Task> write, CancellationToken cancellation = default)
    {
        var folder = path.DirectoryName ?? ".";
        // Hidden, and not ending in the file's own extension: a folder scanned for *.yaml never reads it.
        var temporary = Path.Combine(folder, $".{path.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536,
                             FileOptions.Asynchronous))
            {
                await write(stream);
                await stream.FlushAsync(cancellation);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path.FullName, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Named by the file the person asked for, not the hidden one.
            throw new IOException($"{path.FullName} was not written: {e.Message.Replace(temporary, path.FullName)}", e);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static Task WriteTextAsync(FileInfo path, string text, CancellationToken cancellation = default) =>
        WriteAsync(path, stream => stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellation).AsTask(), cancellation);
}
