import FuzzSupport
import Scaler

/// The batch's case decoder against the tree path on arbitrary bytes. `ReconcileCaseLineDecoder`
/// reads most lines straight from their bytes and hands the rest to `ReconcileCase(jsonBytes:)`;
/// the invariant is that it answers exactly what the tree path answers: the same case, or the
/// same error word for word. One decoder serves every input, so its cache of the last `hpa`
/// is exercised across inputs as a batch exercises it across lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = UnsafeBufferPointer(start: data, count: size)
    let byBytes = Result { () throws(CaseError) in try decoder.decode(line) }
    let byTree = Result { () throws(CaseError) in try ReconcileCase(jsonBytes: line) }
    switch (byBytes, byTree) {
    case (.success(let fast), .success(let tree)):
        check(difference(fast, tree) == nil, "the line decoder and the tree path differ in \(difference(fast, tree) ?? "")")
    case (.failure(let fast), .failure(let tree)):
        check(fast.description == tree.description, "different errors: \(fast) vs \(tree)")
    case (.success, .failure(let error)):
        check(false, "the line decoder accepted what the tree path rejects: \(error)")
    case (.failure(let error), .success):
        check(false, "the line decoder rejected what the tree path accepts: \(error)")
    }
    return 0
}

@_cdecl("fuzz_case_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv)
}

nonisolated(unsafe) private var decoder = ReconcileCaseLineDecoder()

/// Equal fields, and equal decisions (which also compare what each case derived: pod tables,
/// request totals).
private func difference(_ a: ReconcileCase, _ b: ReconcileCase) -> String? {
    if a != b { return "fields" }
    let decisionA = HorizontalController.reconcile(a).jsonString()
    let decisionB = HorizontalController.reconcile(b).jsonString()
    return decisionA == decisionB ? nil : "decision: \(decisionA) vs \(decisionB)"
}
