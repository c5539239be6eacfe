/// What `sift --version` and the `version` command say: the release and the commit the binary
/// was built from (stamped at build time by the VersionStamp plugin).
public enum SiftVersion {
    /// The release, as in `sift-VERSION-linux-ARCH.tar.gz`.
    public static let version = "0.4.0"
    /// The commit (`git describe --always --dirty`), or `unknown` when built outside a checkout.
    public static let commit = buildCommit
}
