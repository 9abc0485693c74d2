import Foundation
import QuiesceTestSupport

/// Whether python3 can import prometheus_client (.ci/run installs it).
let prometheusClientAvailable: Bool = {
    let check = ChildProcess()
    check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    check.arguments = ["python3", "-c", "import prometheus_client.parser"]
    check.standardError = FileHandle.nullDevice
    guard (try? ProcessExit.start(check)) != nil else { return false }
    check.waitUntilExit()
    return check.terminationStatus == 0
}()

/// Scrapes `url` and parses it with prometheus_client: each sample as `NAME{label=value,…}`, labels sorted.
func scrape(_ url: String) throws -> [String: Double] {
    let script = """
        import json, sys, urllib.request
        from prometheus_client.parser import text_string_to_metric_families
        text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}"] = sample.value
        print(json.dumps(samples))
        """
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, url]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try ProcessExit.start(process)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return [:] }
    return (try JSONSerialization.jsonObject(with: data) as? [String: Double]) ?? [:]
}
