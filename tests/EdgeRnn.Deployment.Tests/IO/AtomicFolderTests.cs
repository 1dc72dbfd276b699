using System.Text;
using EdgeRnn.Deployment.IO;

namespace EdgeRnn.Deployment.Tests.IO;

/// <summary><see cref="AtomicFile.WriteFolder"/>: a new folder appears whole or not at all.</summary>
public sealed class AtomicFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edgernn-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Fill(string folder)
    {
        AtomicFile.WriteAllBytes(Path.Combine(folder, "model.onnx"), Encoding.UTF8.GetBytes("model"));
        Directory.CreateDirectory(Path.Combine(folder, "test_data_set_0"));
        AtomicFile.WriteAllBytes(Path.Combine(folder, "test_data_set_0", "input_0.pb"), Encoding.UTF8.GetBytes("input"));
    }

    [Fact]
    public void NewFolder_WrittenAsOneSet_NoTemporaryLeft()
    {
        string target = Path.Combine(_root, "nested", "case");
        Assert.True(AtomicFile.WriteFolder(target, Fill));
        Assert.Equal("input", File.ReadAllText(Path.Combine(target, "test_data_set_0", "input_0.pb")));
        Assert.Equal(["case"], Directory.GetFileSystemEntries(Path.Combine(_root, "nested")).Select(Path.GetFileName));
    }

    [Fact]
    public void FillFailsHalfway_NothingIsLeft()
    {
        string target = Path.Combine(_root, "case");
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteFolder(target, folder =>
        {
            Fill(folder);
            throw new IOException("No space left on device");
        }));
        Assert.Equal("No space left on device", e.Message);
        Assert.False(Directory.Exists(target));
        Assert.Empty(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void EmptyExistingFolder_IsReplacedAsOneSet()
    {
        string target = Directory.CreateDirectory(Path.Combine(_root, "case")).FullName;
        Assert.True(AtomicFile.WriteFolder(target + "/", Fill));
        Assert.True(File.Exists(Path.Combine(target, "model.onnx")));
        Assert.Single(Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void FolderWithOtherFiles_FilledInPlace_TheirFilesKept()
    {
        string target = Directory.CreateDirectory(Path.Combine(_root, "case")).FullName;
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");
        Assert.False(AtomicFile.WriteFolder(target, Fill));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.Equal("model", File.ReadAllText(Path.Combine(target, "model.onnx")));
    }
}
