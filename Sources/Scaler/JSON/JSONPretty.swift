extension JSONValue {
    /// Indented JSON for people (two spaces, one key per line, short arrays of scalars inline).
    public func prettyPrinted() -> String {
        var text = ""
        render(into: &text, indent: "")
        return text
    }

    private func render(into text: inout String, indent: String) {
        switch self {
        case .array(let elements):
            if elements.isEmpty { text += "[]"; return }
            if elements.allSatisfy({ if case .array = $0 { return false }; if case .object = $0 { return false }; return true }) {
                text += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { text += ", " }
                    element.render(into: &text, indent: indent)
                }
                text += "]"
                return
            }
            let inner = indent + "  "
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += inner
                element.render(into: &text, indent: inner)
                text += index == elements.count - 1 ? "\n" : ",\n"
            }
            text += indent + "]"
        case .object(let object):
            if object.entries.isEmpty { text += "{}"; return }
            let inner = indent + "  "
            text += "{\n"
            for (index, entry) in object.entries.enumerated() {
                text += inner + JSONValue.string(entry.key).compact() + ": "
                entry.value.render(into: &text, indent: inner)
                text += index == object.entries.count - 1 ? "\n" : ",\n"
            }
            text += indent + "}"
        default:
            text += compact()
        }
    }

    /// Compact JSON text.
    public func compact() -> String {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.value(self)
        return writer.string
    }
}
