using System.Security.Cryptography.X509Certificates;

namespace EdgeRnn.Deployment.Security;

/// <summary>
/// A server certificate checked against exactly the CAs given (a broker's, from a profile or the command line), not
/// the system's store: the intermediates the server presented may complete the chain; revocation is not checked and
/// nothing is downloaded (a device's unit reaches only its broker).
/// </summary>
public static class CustomRootTrust
{
    /// <summary>Null when <paramref name="certificate"/> chains to one of <paramref name="roots"/>; else why not (the chain's status texts, unsanitized).</summary>
    public static string? Problem(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf) ? null : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
    }
}
