using System.CommandLine;
using System.Globalization;
using EdgeRnn.Deployment.Cli;
using EdgeRnn.Train.Fleet;

namespace EdgeRnn.Train.Commands;

/// <summary><c>edgernn fleet watch</c>: the devices publishing to a broker, as a live table.</summary>
internal static class FleetCommand
{
    public static Command Create() =>
        new("fleet", "Devices that publish to an MQTT broker (edgernn-device run with an mqtt section; topics and payloads: docs/fleet.md).")
        {
            CreateWatchCommand(),
        };

    private static Command CreateWatchCommand()
    {
        var broker = new Option<string>("--broker") { Description = "The broker: HOST or HOST:PORT (port 1883, or 8883 with TLS).", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "The devices' topic prefix (their profiles' mqtt.topicPrefix).", DefaultValueFactory = _ => "edgernn" };
        var user = new Option<string?>("--username") { Description = "Log in as this user; the password comes from --password-file or the EDGERNN_MQTT_PASSWORD environment variable (never from the command line)." };
        var passwordFile = new Option<string?>("--password-file") { Description = "A file holding the password (its first line)." };
        var ca = new Option<string?>("--ca-file") { Description = "TLS: the broker's certificate must chain to this CA (PEM) and carry the host name given in --broker." };
        var tls = new Option<bool>("--tls") { Description = "TLS with the system's trusted CAs (implied by --ca-file)." };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds (default: until Ctrl+C)." };
        var interval = new Option<double>("--interval") { Description = "Seconds between tables when the output is not a terminal, with --plain or NO_COLOR (a terminal refreshes every second).", DefaultValueFactory = _ => 5 };
        var plain = new Option<bool>("--plain") { Description = "A plain table every --interval instead of the live view." };
        Option<bool> json = CommonOptions.Json("One JSON line per message received: {\"topic\": birth|status|health|events, \"device\": the device's row}.");
        var command = new Command("watch",
            "Subscribes to <prefix>/+/birth, status, health and events and shows each device: online/offline (the retained status, its last will "
            + "included), steps, anomalies, faults, step p99, telemetry queue depth, messages lost (queue full, channel full, write failures), the last "
            + "event and how old the last health message is, the model's hash. Reconnects when the broker goes away. "
            + "Exit codes: 0 = stopped (--seconds or Ctrl+C), 2 = bad options or the broker cannot be reached or refuses the login at start.")
        {
            broker, prefix, user, passwordFile, ca, tls, seconds, interval, plain, json,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(seconds) is { } s && !(s > 0))
            {
                r.AddError("--seconds must be greater than 0");
            }

            if (r.GetResult(interval) is { Implicit: false } given && given.GetValueOrDefault<double>() is var i && !(i >= 0.1 && i <= 3600))
            {
                r.AddError($"--interval must be between 0.1 and 3600 (got {i})");
            }
        });
        command.SetAction(async (parse, cancel) =>
        {
            string b = parse.GetValue(broker)!;
            bool secure = parse.GetValue(tls) || parse.GetValue(ca) is not null;
            int port = secure ? 8883 : 1883;
            // HOST, HOST:PORT, [IPv6] or [IPv6]:PORT.
            int close = b.StartsWith('[') ? b.IndexOf(']', StringComparison.Ordinal) : -1;
            int colon = close >= 0 ? (b.Length > close + 1 && b[close + 1] == ':' ? close + 1 : -1) : (b.Count(c => c == ':') == 1 ? b.IndexOf(':', StringComparison.Ordinal) : -1);
            string host = colon >= 0 ? b[..colon] : b;
            if (colon >= 0 && (!int.TryParse(b.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                parse.Error().WriteLine($"error: --broker {b}: the port must be a number from 1 to 65535");
                return 2;
            }

            return await FleetWatch.Run(
                new FleetWatchOptions(host.Trim('[', ']'), port, parse.GetValue(prefix)!.TrimEnd('/'), parse.GetValue(user), parse.GetValue(passwordFile), parse.GetValue(ca),
                    parse.GetValue(tls), parse.GetValue(seconds), parse.GetValue(interval), parse.GetValue(json), parse.GetValue(plain)),
                parse.Out(), parse.Error(), cancel).ConfigureAwait(false);
        });
        return command;
    }
}
