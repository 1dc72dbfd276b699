using EdgeRnn.DeviceHost.LiveConsole;

namespace EdgeRnn.DeviceHost.Tests.LiveConsole;

/// <summary>Commands from consoles cannot pile work on the loop.</summary>
public sealed class ConsoleCommandsTests
{
    [Fact]
    public async Task Saves_AskedAgainWithinASecond_RunOnceAndEachGetsTheAnswer()
    {
        var commands = new ConsoleCommands();
        int saves = 0, resets = 0;
        CommandOutcome Run(ConsoleAction a, string from)
        {
            if (a == ConsoleAction.Save)
            {
                saves++;
                return new CommandOutcome(true, $"state saved at step {100 + saves}");
            }

            resets++;
            return new CommandOutcome(true, "state reset");
        }

        Task<CommandOutcome>[] asked = [.. Enumerable.Range(0, 5).Select(i => commands.Enqueue(ConsoleAction.Save, $"console {i}")!)];
        commands.RunPending(Run);
        Assert.Equal(1, saves);
        CommandOutcome[] answers = await Task.WhenAll(asked);
        Assert.All(answers, a => Assert.True(a.Ok));
        Assert.Equal("state saved at step 101", answers[0].Message);
        Assert.All(answers[1..], a => Assert.Equal("state saved at step 101 (a save made less than a second ago; not repeated)", a.Message));

        // A reset in between: the next save writes the new state.
        Task<CommandOutcome> reset = commands.Enqueue(ConsoleAction.Reset, "console 0")!;
        Task<CommandOutcome> after = commands.Enqueue(ConsoleAction.Save, "console 0")!;
        commands.RunPending(Run);
        Assert.Equal(1, resets);
        Assert.Equal(2, saves);
        Assert.Equal("state saved at step 102", (await after).Message);
        Assert.True((await reset).Ok);
    }
}
