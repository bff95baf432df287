"""Wire-format helpers of the fake API server: Status errors, times, label selectors,
the three patch types, and server-side printing (meta.k8s.io/v1 Table).

Standard library only. Each function says which upstream behaviour it copies.
"""
import copy
import json
import re
import time

# --- time ---------------------------------------------------------------------------------

def rfc3339(seconds=None):
    """metav1.Time as the API server writes it: UTC, whole seconds, `Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if seconds is None else seconds))


def parse_rfc3339(text):
    """Seconds since the epoch for an RFC 3339 UTC timestamp (fractions and offsets tolerated)."""
    match = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text or "")
    if not match:
        return None
    import calendar
    base = calendar.timegm(tuple(int(match.group(i)) for i in range(1, 7)) + (0, 0, 0))
    if match.group(8) != "Z":
        sign = 1 if match.group(8)[0] == "+" else -1
        base -= sign * (int(match.group(8)[1:3]) * 3600 + int(match.group(8)[4:6]) * 60)
    return base


def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, as the AGE column shows it."""
    seconds = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if rest == 0 else f"{hours // 24 // 365}y{rest}d"
    return f"{hours // 24 // 365}y"


def age(obj):
    created = parse_rfc3339(obj.get("metadata", {}).get("creationTimestamp"))
    return "<unknown>" if created is None else human_duration(time.time() - created)

# --- errors -------------------------------------------------------------------------------

class APIError(Exception):
    """A failure the server answers with a meta/v1 Status object."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code, self.reason, self.message = code, reason, message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details is not None:
            body["details"] = self.details
        return body


def qualified(resource, group):
    """`deployments.apps`, or `pods` for the core group, as upstream's GroupResource prints."""
    return f"{resource}.{group}" if group else resource


def not_found(resource, group, name):
    return APIError(404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
                    {"name": name, "group": group, "kind": resource})


def already_exists(resource, group, name):
    return APIError(409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists',
                    {"name": name, "group": group, "kind": resource})


def conflict(resource, group, name):
    """The optimistic-concurrency failure, with upstream's exact wording."""
    return APIError(409, "Conflict",
                    f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": the object has been '
                    "modified; please apply your changes to the latest version and try again",
                    {"name": name, "group": group, "kind": resource})


def invalid(kind, group, name, causes):
    """422 Invalid, `Kind.group "name" is invalid: field: message, ...` with one cause per field."""
    qualified_kind = f"{kind}.{group}" if group else kind
    summary = ", ".join(f"{field}: {message}" if field else message for field, message in causes)
    if len(causes) > 1:
        summary = "[" + summary + "]"
    return APIError(422, "Invalid", f'{qualified_kind} "{name}" is invalid: {summary}',
                    {"name": name, "group": group, "kind": kind,
                     "causes": [{"reason": "FieldValueInvalid", "message": message, "field": field}
                                for field, message in causes]})


def bad_request(message):
    return APIError(400, "BadRequest", message)

# --- label selectors ----------------------------------------------------------------------

class SelectorError(ValueError):
    pass


_KEY = r"[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?"


def parse_label_selector(text):
    """labels.Parse: `a=b,c==d,e!=f,g in (h,i),j notin (k),l,!m,n>1`; a list of
    (key, operator, values) requirements. An empty string selects everything."""
    requirements = []
    text = (text or "").strip()
    position = 0
    while position < len(text):
        # One requirement runs to the next comma that is not inside parentheses.
        depth, end = 0, position
        while end < len(text) and not (text[end] == "," and depth == 0):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        part = text[position:end].strip()
        position = end + 1
        match = re.fullmatch(r"(" + _KEY + r")\s+(in|notin)\s*\((.*)\)", part)
        if match:
            values = [value.strip() for value in match.group(3).split(",") if value.strip()]
            requirements.append((match.group(1), match.group(2), values))
            continue
        match = re.fullmatch(r"(" + _KEY + r")\s*(==|=|!=|>|<)\s*([-A-Za-z0-9_.]*)", part)
        if match:
            operator = "=" if match.group(2) == "==" else match.group(2)
            requirements.append((match.group(1), operator, [match.group(3)]))
            continue
        match = re.fullmatch(r"(!?)\s*(" + _KEY + r")", part)
        if match:
            requirements.append((match.group(2), "!" if match.group(1) else "exists", []))
            continue
        raise SelectorError(f"unable to parse requirement: {part!r}")
    return requirements


def selector_matches(requirements, labels):
    labels = labels or {}
    for key, operator, values in requirements:
        present = key in labels
        value = labels.get(key)
        if operator == "=" and not (present and value == values[0]):
            return False
        if operator == "!=" and present and value == values[0]:
            return False
        if operator == "in" and not (present and value in values):
            return False
        if operator == "notin" and present and value in values:
            return False
        if operator == "exists" and not present:
            return False
        if operator == "!" and present:
            return False
        if operator in (">", "<"):
            try:
                left, right = int(value), int(values[0])
            except (TypeError, ValueError):
                return False
            if not (left > right if operator == ">" else left < right):
                return False
    return True


def label_selector_requirements(selector):
    """metav1.LabelSelectorAsSelector: matchLabels then matchExpressions, sorted by key.
    None selects nothing (returns None); an empty selector selects everything ([])."""
    if selector is None:
        return None
    requirements = [(key, "=", [value]) for key, value in (selector.get("matchLabels") or {}).items()]
    names = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expression in selector.get("matchExpressions") or []:
        operator = names.get(expression.get("operator"))
        if operator is None:
            raise SelectorError(f"{expression.get('operator')!r} is not a valid label selector operator")
        requirements.append((expression["key"], operator, sorted(set(expression.get("values") or []))))
    return sorted(requirements, key=lambda requirement: requirement[0])


def selector_string(requirements):
    """labels.Selector.String(): `app=web,tier in (a,b),!gone`; the Scale's status.selector."""
    parts = []
    for key, operator, values in requirements or []:
        if operator in ("=", "!=", ">", "<"):
            parts.append(f"{key}{operator}{values[0]}")
        elif operator in ("in", "notin"):
            parts.append(f"{key} {operator} ({','.join(sorted(values))})")
        elif operator == "exists":
            parts.append(key)
        else:
            parts.append(f"!{key}")
    return ",".join(parts)


def format_label_selector(selector):
    """metav1.FormatLabelSelector, as the SELECTOR columns print it."""
    try:
        requirements = label_selector_requirements(selector)
    except SelectorError:
        return "<error>"
    text = selector_string(requirements) if requirements is not None else ""
    return text or "<none>"


FIELD_SELECTORS = {"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                   "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName", "type",
                   "reason", "source", "reportingComponent", "involvedObject.kind", "involvedObject.namespace",
                   "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                   "involvedObject.resourceVersion", "involvedObject.fieldPath"}


def field_selector_matches(text, obj):
    """fieldSelector (=, ==, !=) on the fields upstream supports for pods, events, secrets and
    namespaces (metadata.name and metadata.namespace everywhere)."""
    if not text:
        return True
    for part in text.split(","):
        match = re.fullmatch(r"\s*([A-Za-z.]+)\s*(==|=|!=)\s*(.*?)\s*", part)
        if not match:
            raise SelectorError(f"invalid field selector: {part!r}")
        field, operator, value = match.groups()
        if field not in FIELD_SELECTORS:
            raise SelectorError(f'field label not supported: {field}')
        node = obj
        for step in field.split("."):
            node = node.get(step) if isinstance(node, dict) else None
        if field == "source" and isinstance(node, dict):
            node = node.get("component")
        actual = "" if node is None else str(node)
        if (actual == value) != (operator != "!="):
            return False
    return True


# --- patches ------------------------------------------------------------------------------

def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (application/merge-patch+json)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# The patchMergeKey of the list fields that upstream's types merge by key (the same name means
# the same merge key everywhere in the types this server serves). `ports` is decided per item.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
    "imagePullSecrets": "name", "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey", "readinessGates": "conditionType",
    "resourceClaims": "name", "schedulingGates": "name",
}
# Lists of scalars that upstream merges as sets.
MERGE_SETS = {"finalizers"}


def _merge_key(field, items):
    if field == "ports":
        sample = next((item for item in items if isinstance(item, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


def strategic_merge_patch(target, patch):
    """application/strategic-merge-patch+json for the types served here: maps merge, lists of
    objects with a patchMergeKey merge by that key, and the directives kubectl sends
    ($patch, $retainKeys, $setElementOrder/, $deleteFromPrimitiveList/) are honoured."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {key: copy.deepcopy(value) for key, value in patch.items() if key != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        result = {key: value for key, value in result.items() if key in retain}
    orders = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [item for item in result.get(field) or [] if item not in (value or [])]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge_patch(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        else:
            result[key] = copy.deepcopy(value)
    for field, order in orders.items():
        result[field] = _apply_order(field, result.get(field) or [], order)
    return result


def _merge_list(field, current, patch):
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [copy.deepcopy(item) for item in patch if not (isinstance(item, dict) and "$patch" in item)]
    current = current if isinstance(current, list) else []
    if field in MERGE_SETS:
        merged = list(current)
        merged += [item for item in patch if item not in merged]
        return merged
    key = _merge_key(field, patch + current)
    if key is None or not all(isinstance(item, dict) for item in patch):
        return copy.deepcopy(patch)
    merged = [copy.deepcopy(item) for item in current]
    for item in patch:
        index = next((i for i, existing in enumerate(merged)
                      if isinstance(existing, dict) and existing.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if index is not None:
                merged.pop(index)
        elif index is None:
            merged.append(strategic_merge_patch({}, item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def _apply_order(field, items, order):
    key = _merge_key(field, items)
    if key is None:
        return items
    wanted = [entry.get(key) if isinstance(entry, dict) else entry for entry in order]
    ranked = sorted(items, key=lambda item: wanted.index(item.get(key)) if item.get(key) in wanted else len(wanted))
    return ranked


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"json patch: invalid path {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _walk(document, parts):
    node = document
    for part in parts:
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            raise KeyError(part)
    return node


def json_patch(document, operations):
    """RFC 6902 JSON patch (application/json-patch+json): add, remove, replace, move, copy, test."""
    if not isinstance(operations, list):
        raise bad_request("json patch: the body must be an array of operations")
    document = copy.deepcopy(document)
    for operation in operations:
        op = operation.get("op")
        try:
            parts = _pointer(operation.get("path", ""))
            if op == "test":
                if _walk(document, parts) != operation.get("value"):
                    raise APIError(422, "Invalid", f"json patch: test failed at {operation.get('path')}")
                continue
            if op in ("move", "copy"):
                source = _pointer(operation.get("from", ""))
                value = copy.deepcopy(_walk(document, source))
                if op == "move":
                    document = _remove(document, source)
                document = _add(document, parts, value)
            elif op == "add":
                document = _add(document, parts, copy.deepcopy(operation.get("value")))
            elif op == "remove":
                document = _remove(document, parts)
            elif op == "replace":
                _walk(document, parts)  # must exist
                document = _remove(document, parts)
                document = _add(document, parts, copy.deepcopy(operation.get("value")))
            else:
                raise bad_request(f"json patch: unknown operation {op!r}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise APIError(422, "Invalid", f"the server rejected our request due to an error in our request: "
                           f"json patch {op} operation does not apply: doc is missing path: {operation.get('path')!r}")
    return document


def _add(document, parts, value):
    if not parts:
        return value
    parent = _walk(document, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        parent.insert(len(parent) if last == "-" else int(last), value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise KeyError(last)
    return document


def _remove(document, parts):
    parent = _walk(document, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        parent.pop(int(last))
    else:
        del parent[last]
    return document

# --- server-side printing -----------------------------------------------------------------

def _column(name, kind="string", priority=0, format_=None, description=""):
    column = {"name": name, "type": kind, "format": format_ or "", "description": description, "priority": priority}
    return column


NAME_COLUMN = _column("Name", format_="name",
                      description="Name must be unique within a namespace. Is required when creating resources, "
                                  "although some resources may allow a client to request the generation of an "
                                  "appropriate name automatically. Name is primarily intended for creation "
                                  "idempotence and configuration definition. Cannot be updated. More info: "
                                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
AGE_COLUMN = _column("Age", description="CreationTimestamp is a timestamp representing the server time when this "
                                        "object was created.")


def _containers_and_images(template):
    containers = (template or {}).get("spec", {}).get("containers") or []
    return ",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers)


def _pod_cells(pod):
    statuses = pod.get("status", {}).get("containerStatuses") or []
    containers = pod.get("spec", {}).get("containers") or []
    ready = sum(1 for status in statuses if status.get("ready"))
    restarts = sum(int(status.get("restartCount", 0)) for status in statuses)
    reason = pod.get("status", {}).get("reason") or pod.get("status", {}).get("phase") or "Pending"
    if pod.get("metadata", {}).get("deletionTimestamp"):
        reason = "Terminating"
    gates = pod.get("spec", {}).get("readinessGates") or []
    return [pod["metadata"]["name"], f"{ready}/{len(containers)}", reason, restarts, age(pod),
            pod.get("status", {}).get("podIP") or "<none>", pod.get("spec", {}).get("nodeName") or "<none>",
            pod.get("status", {}).get("nominatedNodeName") or "<none>", f"{len(gates)}/{len(gates)}" if gates else "<none>"]


def _workload_cells(obj, kind):
    spec, status = obj.get("spec", {}), obj.get("status", {})
    containers, images = _containers_and_images(spec.get("template"))
    name = obj["metadata"]["name"]
    desired = spec.get("replicas", 1)
    if kind == "Deployment":
        return [name, f"{status.get('readyReplicas', 0)}/{desired}", status.get("updatedReplicas", 0),
                status.get("availableReplicas", 0), age(obj), containers, images, format_label_selector(spec.get("selector"))]
    if kind == "StatefulSet":
        return [name, f"{status.get('readyReplicas', 0)}/{desired}", age(obj), containers, images]
    return [name, desired, status.get("replicas", 0), status.get("readyReplicas", 0), age(obj), containers, images,
            format_label_selector(spec.get("selector"))]


def _json_path(obj, path):
    """The simple JSONPath of additionalPrinterColumns: `.spec.scaleTargetRef.name`, `.a[0].b`."""
    node = obj
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path or ""):
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _printer_cell(kind, value):
    """apiextensions' cellForJSONValue: dates become ages, numbers stay numbers."""
    if value is None:
        return None
    if kind == "date":
        created = parse_rfc3339(value) if isinstance(value, str) else None
        return "<invalid>" if created is None else human_duration(time.time() - created)
    if kind == "integer":
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def table_columns_and_cells(kind, printer_columns=None):
    """(column definitions, cells function) for a kind, as upstream's printers.go (built-in
    kinds) or the CRD's additionalPrinterColumns (custom resources) define them."""
    if printer_columns is not None:
        columns = [NAME_COLUMN] + [_column(column["name"], column.get("type", "string"), column.get("priority", 0),
                                           column.get("format"), column.get("description", ""))
                                   for column in printer_columns]
        return columns, lambda obj: [obj["metadata"]["name"]] + [
            _printer_cell(column.get("type", "string"), _json_path(obj, column.get("jsonPath"))) for column in printer_columns]
    created_at = _column("Created At", "date", description="CreationTimestamp is a timestamp representing the server "
                                                              "time when this object was created.")
    if kind == "Deployment":
        return ([NAME_COLUMN, _column("Ready", description="Number of the pod with ready state"),
                 _column("Up-to-date", description="Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
                 _column("Available", description="Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
                 AGE_COLUMN, _column("Containers", priority=1, description="Names of each container in the template."),
                 _column("Images", priority=1, description="Images referenced by each container in the template."),
                 _column("Selector", priority=1, description="Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.")],
                lambda obj: _workload_cells(obj, "Deployment"))
    if kind == "StatefulSet":
        return ([NAME_COLUMN, _column("Ready", description="Number of the pod with ready state"), AGE_COLUMN,
                 _column("Containers", priority=1, description="Names of each container in the template."),
                 _column("Images", priority=1, description="Images referenced by each container in the template.")],
                lambda obj: _workload_cells(obj, "StatefulSet"))
    if kind == "ReplicaSet":
        return ([NAME_COLUMN, _column("Desired", "integer", description="Replicas is the number of desired replicas."),
                 _column("Current", "integer", description="Replicas is the most recently observed number of replicas."),
                 _column("Ready", "integer", description="The number of ready replicas for this replica set."), AGE_COLUMN,
                 _column("Containers", priority=1, description="Names of each container in the template."),
                 _column("Images", priority=1, description="Images referenced by each container in the template."),
                 _column("Selector", priority=1, description="Selector is a label query over pods that should match the replica count.")],
                lambda obj: _workload_cells(obj, "ReplicaSet"))
    if kind == "Pod":
        return ([NAME_COLUMN, _column("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
                 _column("Status", description="The aggregate status of the containers in this pod."),
                 _column("Restarts", description="The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                 AGE_COLUMN, _column("IP", priority=1, description="podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
                 _column("Node", priority=1, description="NodeName is a request to schedule this pod onto a specific node."),
                 _column("Nominated Node", priority=1, description="nominatedNodeName is set when this pod preempts other pods on the node."),
                 _column("Readiness Gates", priority=1, description="If specified, all readiness gates will be evaluated for pod readiness.")],
                _pod_cells)
    if kind == "Namespace":
        return ([NAME_COLUMN, _column("Status", description="The status of the namespace"), AGE_COLUMN],
                lambda obj: [obj["metadata"]["name"], obj.get("status", {}).get("phase", "Active"), age(obj)])
    if kind == "ConfigMap":
        return ([NAME_COLUMN, _column("Data", "integer", description="Data contains the configuration data."), AGE_COLUMN],
                lambda obj: [obj["metadata"]["name"], len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), age(obj)])
    if kind == "Secret":
        return ([NAME_COLUMN, _column("Type", description="Used to facilitate programmatic handling of secret data."),
                 _column("Data", "integer", description="Data contains the secret data."), AGE_COLUMN],
                lambda obj: [obj["metadata"]["name"], obj.get("type", "Opaque"), len(obj.get("data") or {}), age(obj)])
    if kind == "ServiceAccount":
        return ([NAME_COLUMN, _column("Secrets", "integer", description="Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE_COLUMN],
                lambda obj: [obj["metadata"]["name"], len(obj.get("secrets") or []), age(obj)])
    if kind == "Service":
        def service_cells(obj):
            spec = obj.get("spec", {})
            ports = ",".join(f"{port.get('port')}/{port.get('protocol', 'TCP')}" for port in spec.get("ports") or []) or "<none>"
            selector = ",".join(f"{k}={v}" for k, v in sorted((spec.get("selector") or {}).items())) or "<none>"
            return [obj["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP") or "<none>",
                    ",".join(spec.get("externalIPs") or []) or "<none>", ports, age(obj), selector]
        return ([NAME_COLUMN, _column("Type", description="The type of the service."),
                 _column("Cluster-IP", description="clusterIP is the IP address of the service."),
                 _column("External-IP", description="externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
                 _column("Port(s)", description="The list of ports that are exposed by this service."), AGE_COLUMN,
                 _column("Selector", priority=1, description="Route service traffic to pods with label keys and values matching this selector.")],
                service_cells)
    if kind == "Lease":
        return ([NAME_COLUMN, _column("Holder", description="holderIdentity contains the identity of the holder of a current lease."), AGE_COLUMN],
                lambda obj: [obj["metadata"]["name"], obj.get("spec", {}).get("holderIdentity") or "", age(obj)])
    if kind in ("Role", "ClusterRole", "CustomResourceDefinition"):
        return ([NAME_COLUMN, created_at],
                lambda obj: [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")])
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        def binding_cells(obj):
            subjects = obj.get("subjects") or []
            def names(kind_):
                return ", ".join((s.get("namespace") + "/" if kind_ == "ServiceAccount" and s.get("namespace") else "") + s.get("name", "")
                                 for s in subjects if s.get("kind") == kind_)
            ref = obj.get("roleRef", {})
            return [obj["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}", age(obj),
                    names("User"), names("Group"), names("ServiceAccount")]
        return ([NAME_COLUMN, _column("Role", description="RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."), AGE_COLUMN,
                 _column("Users", priority=1, description="Users in the roleBinding"),
                 _column("Groups", priority=1, description="Groups in the roleBinding"),
                 _column("ServiceAccounts", priority=1, description="ServiceAccounts in the roleBinding")],
                binding_cells)
    if kind == "HorizontalPodAutoscaler":
        def hpa_cells(obj):
            spec, status = obj.get("spec", {}), obj.get("status", {})
            ref = spec.get("scaleTargetRef", {})
            return [obj["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}", "<unknown>",
                    spec.get("minReplicas", 1), spec.get("maxReplicas"), status.get("currentReplicas", 0), age(obj)]
        return ([NAME_COLUMN, _column("Reference", description="Reference to the target resource."),
                 _column("Targets", description="Current and desired metric values."),
                 _column("MinPods", description="Minimum number of replicas."), _column("MaxPods", "integer", description="Maximum number of replicas."),
                 _column("Replicas", "integer", description="Current number of replicas."), AGE_COLUMN],
                hpa_cells)
    if kind == "PodDisruptionBudget":
        def pdb_cells(obj):
            spec = obj.get("spec", {})
            return [obj["metadata"]["name"], str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
                    str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
                    obj.get("status", {}).get("disruptionsAllowed", 0), age(obj)]
        return ([NAME_COLUMN, _column("Min Available", description="The minimum number of pods that must be available."),
                 _column("Max Unavailable", description="The maximum number of pods that may be unavailable."),
                 _column("Allowed Disruptions", "integer", description="Number of pod disruptions that are currently allowed."), AGE_COLUMN],
                pdb_cells)
    if kind == "Event":
        def event_cells(obj):
            involved = obj.get("involvedObject", {})
            last = obj.get("lastTimestamp") or obj.get("eventTime") or obj["metadata"].get("creationTimestamp")
            seen = parse_rfc3339(last) if last else None
            return [human_duration(time.time() - seen) if seen else "<unknown>", obj.get("type", ""), obj.get("reason", ""),
                    f"{(involved.get('kind') or '').lower()}/{involved.get('name', '')}", obj.get("message", "")]
        return ([_column("Last Seen", description="Time when this Event was last seen."),
                 _column("Type", description="Type of this event (Normal, Warning), new types could be added in the future."),
                 _column("Reason", description="This should be a short, machine understandable string that gives the reason for this event being generated."),
                 _column("Object", description="The object that this event is about."),
                 _column("Message", description="A human-readable description of the status of this operation.")],
                event_cells)
    # Upstream's default table convertor (rest.NewDefaultTableConvertor).
    return [NAME_COLUMN, created_at], lambda obj: [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]


def partial_object_metadata(obj):
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": copy.deepcopy(obj.get("metadata", {}))}


def to_table(kind, objects, resource_version, include_object="Metadata", printer_columns=None, with_columns=True):
    """A meta.k8s.io/v1 Table of `objects`; each row's object is PartialObjectMetadata unless
    includeObject says Object (the whole object) or None."""
    columns, cells = table_columns_and_cells(kind, printer_columns)
    rows = []
    for obj in objects:
        row = {"cells": cells(obj)}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_object_metadata(obj)
        rows.append(row)
    table = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
             "columnDefinitions": columns if with_columns else None, "rows": rows}
    return table

# --- protobuf request bodies --------------------------------------------------------------
# kubectl's typed clients (`kubectl create namespace|configmap|secret|serviceaccount`) send
# application/vnd.kubernetes.protobuf: the bytes `k8s\0`, then a runtime.Unknown whose `raw`
# is the object in the generated.proto encoding of k8s.io/api. These few kinds are decoded;
# for others the server answers 415, as an API server without protobuf support (CRDs) does.

def _read_varint(data, position):
    result, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _fields(data):
    """{field number: [values]}: ints for varints, bytes for length-delimited fields."""
    fields, position = {}, 0
    while position < len(data):
        key, position = _read_varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, position = _read_varint(data, position)
        elif wire_type == 2:
            length, position = _read_varint(data, position)
            value, position = data[position:position + length], position + length
        elif wire_type == 1:
            value, position = data[position:position + 8], position + 8
        elif wire_type == 5:
            value, position = data[position:position + 4], position + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def _text(fields, number):
    return fields[number][-1].decode() if number in fields else None


def _string_map(fields, number, as_bytes=False):
    entries = {}
    for entry in fields.get(number, []):
        pair = _fields(entry)
        value = pair.get(2, [b""])[-1]
        import base64
        entries[_text(pair, 1) or ""] = base64.b64encode(value).decode() if as_bytes else value.decode()
    return entries


def _object_meta(data):
    fields = _fields(data)
    meta = {}
    for number, key in ((1, "name"), (2, "generateName"), (3, "namespace"), (6, "resourceVersion")):
        if _text(fields, number):
            meta[key] = _text(fields, number)
    for number, key in ((11, "labels"), (12, "annotations")):
        if number in fields:
            meta[key] = _string_map(fields, number)
    if 14 in fields:
        meta["finalizers"] = [value.decode() for value in fields[14]]
    return meta


def decode_protobuf_object(body):
    """The JSON form of a protobuf-encoded Namespace, ConfigMap, Secret or ServiceAccount."""
    if not body.startswith(b"k8s\x00"):
        raise bad_request("the protobuf body does not start with the k8s\\x00 magic number")
    unknown = _fields(body[4:])
    type_meta = _fields(unknown.get(1, [b""])[-1])
    api_version, kind = _text(type_meta, 1) or "v1", _text(type_meta, 2)
    fields = _fields(unknown.get(2, [b""])[-1])
    obj = {"apiVersion": api_version, "kind": kind, "metadata": _object_meta(fields.get(1, [b""])[-1])}
    if kind == "Namespace":
        spec = _fields(fields.get(2, [b""])[-1])
        if 1 in spec:
            obj["spec"] = {"finalizers": [value.decode() for value in spec[1]]}
    elif kind == "ConfigMap":
        if 2 in fields:
            obj["data"] = _string_map(fields, 2)
        if 3 in fields:
            obj["binaryData"] = _string_map(fields, 3, as_bytes=True)
        if 4 in fields:
            obj["immutable"] = bool(fields[4][-1])
    elif kind == "Secret":
        if 2 in fields:
            obj["data"] = _string_map(fields, 2, as_bytes=True)
        if _text(fields, 3):
            obj["type"] = _text(fields, 3)
        if 4 in fields:
            obj["stringData"] = _string_map(fields, 4)
        if 5 in fields:
            obj["immutable"] = bool(fields[5][-1])
    elif kind == "ServiceAccount":
        if 4 in fields:
            obj["automountServiceAccountToken"] = bool(fields[4][-1])
    else:
        raise APIError(415, "UnsupportedMediaType",
                       f"this test server reads application/vnd.kubernetes.protobuf only for Namespace, ConfigMap, "
                       f"Secret and ServiceAccount, not {kind}; send application/json")
    return obj
