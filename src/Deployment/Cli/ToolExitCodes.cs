namespace EdgeRnn.Deployment.Cli;

/// <summary>The exit codes the EdgeRnn command-line tools (<c>edgernn</c>, <c>edgernn-device</c>) share.</summary>
public static class ToolExitCodes
{
    /// <summary>0: everything checked out.</summary>
    public const int Success = 0;

    /// <summary>1: a comparison ran and is out of tolerance.</summary>
    public const int ComparisonFailed = 1;

    /// <summary>2: bad input: a missing folder or file, a malformed model or tensor file, or bad command-line usage.</summary>
    public const int BadInput = 2;
}
