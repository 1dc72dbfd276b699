namespace EdgeRnn.Runtime.Tests.Onnx;

public class DisplayTextTests
{
    [Theory]
    [InlineData("y\n\u001b[31mFAKE", "y\\u000A\\u001B[31mFAKE")]
    [InlineData("tab\there", "tab\\u0009here")]
    [InlineData("del\u007F c1\u0085", "del\\u007F c1\\u0085")]
    [InlineData("bidi\u202Eevil\u200B", "bidi\\u202Eevil\\u200B")]
    [InlineData("line\u2028para\u2029", "line\\u2028para\\u2029")]
    [InlineData("", "")]
    public void Sanitize_UnsafeCharacters_EscapedAsUnicode(string text, string expected)
    {
        Assert.Equal(expected, DisplayText.Sanitize(text));
    }

    [Fact]
    public void Sanitize_LoneSurrogate_Escaped()
    {
        // Not theory data: xUnit cannot serialize an unpaired surrogate.
        Assert.Equal("lone\\uD800surrogate", DisplayText.Sanitize("lone" + (char)0xD800 + "surrogate"));
    }

    [Fact]
    public void Sanitize_PrintableText_ReturnedAsIs()
    {
        string text = "lstm_1/LSTM:0 température 温度 😀";
        Assert.Same(text, DisplayText.Sanitize(text));
        Assert.Equal("", DisplayText.Sanitize(null));
    }

    [Fact]
    public void Sanitize_LongText_TruncatedWithoutSplittingASurrogatePair()
    {
        Assert.Equal("abc...", DisplayText.Sanitize("abcdef", 3));
        Assert.Equal("ab...", DisplayText.Sanitize("ab😀cd", 3));
        Assert.Equal("ab😀...", DisplayText.Sanitize("ab😀cd", 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => DisplayText.Sanitize("x", 0));
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("a\u001bb", true)]
    [InlineData("a\nb", true)]
    [InlineData("a\u0085b", true)]
    [InlineData("a\u2028b", true)]
    [InlineData("bidi\u202E", false)]
    public void ContainsControlCharacters_FindsControlsAndLineBreaks(string text, bool expected)
    {
        Assert.Equal(expected, DisplayText.ContainsControlCharacters(text));
    }
}
