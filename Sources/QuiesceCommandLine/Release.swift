/// The release this source tree is: `quiesce --version` and `quiesce-agent --version` print it,
/// with the commit the binary was built from.
public enum Release {
    public static let version = "0.1.0"
}
