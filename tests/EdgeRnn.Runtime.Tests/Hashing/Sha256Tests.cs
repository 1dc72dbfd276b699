using System.Security.Cryptography;
using EdgeRnn.Runtime.Hashing;

namespace EdgeRnn.Runtime.Tests.Hashing;

public class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_FipsVectors(string message, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(Sha256.HashData(System.Text.Encoding.ASCII.GetBytes(message))));
    }

    [Fact]
    public void HashData_EveryLengthTo300_MatchesBcl()
    {
        var rng = new Random(5);
        var data = new byte[300];
        rng.NextBytes(data);
        for (int n = 0; n <= data.Length; n++)
        {
            Assert.Equal(SHA256.HashData(data.AsSpan(0, n)), Sha256.HashData(data.AsSpan(0, n)));
        }
    }
}
