#!/usr/bin/env python3
"""A small Kubernetes API server for tests: the real wire format, enough for the real kubectl
(1.32) and for Tidepool's controller, on loopback. Python 3.11 standard library only.

    fake_apiserver.py [--port 0] [--port-file F] [--token T | --token-file F]
                      [--tls-cert C --tls-key K [--client-ca CA]] [--seed FILE.json] [--ready-delay-s 0]
                      [--no-field-validation]

Prints `listening on http(s)://127.0.0.1:PORT` once it accepts connections. Serves discovery,
OpenAPI v2/v3, core/v1, apps/v1 (with /scale and /status), coordination, RBAC, policy,
autoscaling/v2, apiextensions (CRDs are served once created), metrics.k8s.io and
tidepool.dev/v1alpha1; list/watch/create/update/patch/delete with resourceVersions, label and
field selectors, dry runs, server-side field validation and Tables; a tiny workload controller
that keeps pods in step with replicas. Tests steer it through /fixture/* (see README.md).
"""
import argparse
import collections
import copy
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_openapi as openapi  # noqa: E402
import k8s_wire as wire  # noqa: E402
from k8s_wire import APIError  # noqa: E402

SERVER_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
                  "gitTreeState": "clean", "buildDate": "2024-12-11T17:59:15Z", "goVersion": "go1.23.3",
                  "compiler": "gc", "platform": "linux/amd64"}
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
HISTORY_LIMIT = 1000
POD_NAME_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789"  # upstream's utilrand alphabet

# --- the resources served -----------------------------------------------------------------

class Kind:
    """One served resource: where it lives, what discovery says of it, which schema checks it."""

    def __init__(self, group, version, resource, kind, namespaced, short_names=(), categories=(),
                 subresources=(), verbs=ALL_VERBS, definition=None, printer_columns=None, custom=False):
        self.group, self.version, self.resource, self.kind = group, version, resource, kind
        self.namespaced = namespaced
        self.short_names, self.categories = list(short_names), list(categories)
        self.subresources = list(subresources)
        self.verbs = list(verbs)
        self.definition = definition
        self.printer_columns = printer_columns  # None: upstream's printer for the kind
        self.custom = custom  # a custom resource: unstructured, checked by its CRD's schema

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self):
        return self.kind.lower()

    def discovery(self):
        entries = [{"name": self.resource, "singularName": self.singular, "namespaced": self.namespaced,
                    "kind": self.kind, "verbs": self.verbs}]
        if self.short_names:
            entries[0]["shortNames"] = self.short_names
        if self.categories:
            entries[0]["categories"] = self.categories
        for sub in self.subresources:
            if sub == "scale":
                entries.append({"name": f"{self.resource}/scale", "singularName": "", "namespaced": self.namespaced,
                                "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]})
            else:
                entries.append({"name": f"{self.resource}/{sub}", "singularName": "", "namespaced": self.namespaced,
                                "kind": self.kind, "verbs": ["get", "patch", "update"]})
        return entries


# The columns of the TidepoolAutoscaler while no CRD for it has been created; manifests/01-crd.yaml
# declares the same, and once it is created its columns and schema take over.
TPA_COLUMNS = [
    {"name": "Target", "type": "string", "jsonPath": ".spec.scaleTargetRef.name"},
    {"name": "Min", "type": "integer", "jsonPath": ".spec.minReplicas"},
    {"name": "Max", "type": "integer", "jsonPath": ".spec.maxReplicas"},
    {"name": "Current", "type": "integer", "jsonPath": ".status.currentReplicas"},
    {"name": "Desired", "type": "integer", "jsonPath": ".status.desiredReplicas"},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
]
TPA_DEFINITION = openapi.crd_definition_name("tidepool.dev", "v1alpha1", "TidepoolAutoscaler")


def builtin_kinds():
    C, A = openapi.CORE, openapi.APPS
    return [
        Kind("", "v1", "namespaces", "Namespace", False, ["ns"], subresources=["status"], definition=C + "Namespace"),
        Kind("", "v1", "pods", "Pod", True, ["po"], ["all"], ["status"], definition=C + "Pod"),
        Kind("", "v1", "events", "Event", True, ["ev"], definition=C + "Event"),
        Kind("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"], definition=C + "ServiceAccount"),
        Kind("", "v1", "configmaps", "ConfigMap", True, ["cm"], definition=C + "ConfigMap"),
        Kind("", "v1", "services", "Service", True, ["svc"], ["all"], ["status"], definition=C + "Service"),
        Kind("", "v1", "secrets", "Secret", True, definition=C + "Secret"),
        Kind("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["all"], ["scale", "status"], definition=A + "Deployment"),
        Kind("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["all"], ["scale", "status"], definition=A + "StatefulSet"),
        Kind("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["all"], ["scale", "status"], definition=A + "ReplicaSet"),
        Kind("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True, ["hpa"], ["all"], ["status"],
             definition="io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"),
        Kind("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], subresources=["status"],
             definition="io.k8s.api.policy.v1.PodDisruptionBudget"),
        Kind("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False, definition=openapi.RBAC + "ClusterRoleBinding"),
        Kind("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, definition=openapi.RBAC + "ClusterRole"),
        Kind("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True, definition=openapi.RBAC + "RoleBinding"),
        Kind("rbac.authorization.k8s.io", "v1", "roles", "Role", True, definition=openapi.RBAC + "Role"),
        Kind("coordination.k8s.io", "v1", "leases", "Lease", True, definition="io.k8s.api.coordination.v1.Lease"),
        Kind("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False, ["crd", "crds"],
             subresources=["status"], definition=openapi.EXT + "CustomResourceDefinition"),
        Kind("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False, verbs=["get", "list"],
             definition="io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics"),
        Kind("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True, verbs=["get", "list"],
             definition="io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics"),
        Kind("tidepool.dev", "v1alpha1", "tidepoolautoscalers", "TidepoolAutoscaler", True, ["tpa"], subresources=["status"],
             definition=TPA_DEFINITION, printer_columns=TPA_COLUMNS, custom=True),
    ]


class Registry:
    """The served kinds and their schemas. Creating a CustomResourceDefinition serves its kind
    (or, for tidepoolautoscalers.tidepool.dev, gives the native kind the CRD's schema and columns)."""

    GROUP_ORDER = ["", "apps", "autoscaling", "policy", "rbac.authorization.k8s.io", "coordination.k8s.io",
                   "apiextensions.k8s.io", "metrics.k8s.io"]

    def __init__(self):
        self.kinds = {}
        self.definitions = dict(openapi.BUILTIN_DEFINITIONS)
        for kind in builtin_kinds():
            self.kinds[(kind.group, kind.version, kind.resource)] = kind
        self.definitions[TPA_DEFINITION] = openapi.crd_served_schema("tidepool.dev", "v1alpha1", "TidepoolAutoscaler", None)
        self.native = {key: copy.copy(kind) for key, kind in self.kinds.items()}
        self.crd_kinds = {}  # CRD name -> keys of the kinds it serves

    def find(self, group, version, resource):
        return self.kinds.get((group, version, resource))

    def by_group_resource(self, group, resource):
        return next((kind for kind in self.kinds.values() if kind.group == group and kind.resource == resource), None)

    def group_versions(self):
        """[(group, [versions])] in discovery order: built-in groups first, then custom ones."""
        groups = collections.OrderedDict()
        for kind in sorted(self.kinds.values(), key=lambda k: (self.GROUP_ORDER.index(k.group) if k.group in self.GROUP_ORDER
                                                                  else len(self.GROUP_ORDER), k.group)):
            versions = groups.setdefault(kind.group, [])
            if kind.version not in versions:
                versions.append(kind.version)
        return list(groups.items())

    def kinds_of(self, group, version):
        return sorted((kind for kind in self.kinds.values() if kind.group == group and kind.version == version),
                      key=lambda kind: kind.resource)

    def install_crd(self, crd):
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        self.remove_crd(crd["metadata"]["name"])
        keys = []
        for version in spec.get("versions") or []:
            if not version.get("served"):
                continue
            key = (spec.get("group"), version.get("name"), names.get("plural"))
            definition = openapi.crd_definition_name(key[0], key[1], names.get("kind"))
            columns = version.get("additionalPrinterColumns")
            if columns is None:
                columns = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
            self.kinds[key] = Kind(key[0], key[1], key[2], names.get("kind"), spec.get("scope") == "Namespaced",
                                   names.get("shortNames") or [], names.get("categories") or [],
                                   [sub for sub in ("status", "scale") if sub in (version.get("subresources") or {})],
                                   definition=definition, printer_columns=columns, custom=True)
            self.kinds[key].scale_paths = (version.get("subresources") or {}).get("scale")
            self.definitions[definition] = openapi.crd_served_schema(
                key[0], key[1], names.get("kind"), (version.get("schema") or {}).get("openAPIV3Schema"))
            keys.append(key)
        self.crd_kinds[crd["metadata"]["name"]] = keys

    def remove_crd(self, name):
        for key in self.crd_kinds.pop(name, []):
            kind = self.kinds.pop(key, None)
            if key in self.native:
                self.kinds[key] = copy.copy(self.native[key])
                self.definitions[TPA_DEFINITION] = openapi.crd_served_schema("tidepool.dev", "v1alpha1", "TidepoolAutoscaler", None)
            elif kind is not None:
                self.definitions.pop(kind.definition, None)

# --- storage and watch history ------------------------------------------------------------

class Store:
    """Every object, keyed by (group, resource, namespace, name), and the recent changes that
    watches replay. One lock guards objects, the resourceVersion counter and the history;
    `changed` is notified after each write."""

    def __init__(self):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.objects = {}
        self.revision = 0
        self.history = collections.deque()  # (rv, type, group, resource, old, new), rv ascending
        self.compacted = 0  # the newest resourceVersion no longer in the history
        self.listeners = []  # called with (type, kind, old, new) after each write, under the lock

    def current(self):
        with self.lock:
            return str(self.revision)

    def get(self, kind, namespace, name):
        with self.lock:
            found = self.objects.get((kind.group, kind.resource, namespace or "", name))
            return copy.deepcopy(found) if found is not None else None

    def list(self, kind, namespace=None):
        with self.lock:
            found = [obj for (group, resource, ns, _), obj in self.objects.items()
                     if group == kind.group and resource == kind.resource and (namespace is None or ns == namespace)]
            return [copy.deepcopy(obj) for obj in sorted(found, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))]

    def _record(self, event_type, kind, old, new):
        self.history.append((self.revision, event_type, kind.group, kind.resource, old, new))
        while len(self.history) > HISTORY_LIMIT:
            self.compacted = self.history.popleft()[0]
        for listener in self.listeners:
            listener(event_type, kind, old, new)
        self.changed.notify_all()

    def put(self, kind, obj):
        """Stores `obj` (created or replaced), stamping the next resourceVersion."""
        with self.lock:
            metadata = obj["metadata"]
            key = (kind.group, kind.resource, metadata.get("namespace", ""), metadata["name"])
            old = self.objects.get(key)
            self.revision += 1
            metadata["resourceVersion"] = str(self.revision)
            self.objects[key] = copy.deepcopy(obj)
            self._record("ADDED" if old is None else "MODIFIED", kind, copy.deepcopy(old), copy.deepcopy(obj))
            return copy.deepcopy(obj)

    def remove(self, kind, namespace, name):
        with self.lock:
            old = self.objects.pop((kind.group, kind.resource, namespace or "", name), None)
            if old is None:
                return None
            self.revision += 1
            gone = copy.deepcopy(old)
            gone["metadata"]["resourceVersion"] = str(self.revision)
            self._record("DELETED", kind, old, copy.deepcopy(gone))
            return gone

    def compact(self):
        with self.lock:
            self.history.clear()
            self.compacted = self.revision

    def events_after(self, revision):
        """History entries newer than `revision`, or None when some of them were compacted away."""
        with self.lock:
            if revision < self.compacted:
                return None
            return [event for event in self.history if event[0] > revision]

# --- the API: semantics of each verb ------------------------------------------------------

def now():
    return wire.rfc3339()


def random_suffix(length=5):
    return "".join(random.choice(POD_NAME_CHARACTERS) for _ in range(length))


class Validation:
    """What a write asked for: ?fieldValidation (Strict, Warn or Ignore; upstream's default is
    Warn; a server without field validation ignores the parameter and drops unknown fields)
    and ?dryRun=All. Warnings collect here for the response's Warning headers."""

    def __init__(self, query, server_validates=True):
        self.mode = (query.get("fieldValidation") or ["Warn"])[0] if server_validates else "Ignore"
        self.dry_run = "All" in (query.get("dryRun") or [])
        self.warnings = []


class API:
    """The verbs over the store, with upstream's rules for names, resourceVersions,
    generations, status subresources, defaults and validation."""

    def __init__(self, registry, store):
        self.registry, self.store = registry, store

    # Reading

    def get(self, kind, namespace, name):
        found = self.store.get(kind, namespace, name)
        if found is None:
            raise wire.not_found(kind.resource, kind.group, name)
        return found

    # Validation and defaults

    def check(self, kind, obj, validation):
        """Schema and upstream's own rules: raises the Status upstream answers with, or returns
        the object to store (unknown fields dropped unless the write was strict)."""
        name = obj.get("metadata", {}).get("name", "")
        problems = openapi.validate(obj, {"$ref": kind.definition}, self.registry.definitions, strict_nulls=kind.custom)
        if problems.types and not kind.custom:
            path, expected, got = problems.types[0]
            go_got = {"integer": "number", "number": "number", "boolean": "bool", "null": "null"}.get(got, got)
            go_type = {"integer": "int32", "boolean": "bool", "object": "struct", "array": "slice",
                       "integer or string": "intstr.IntOrString", "quantity": "resource.Quantity"}.get(expected, expected)
            raise wire.bad_request(f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: json: '
                                   f"cannot unmarshal {go_got} into Go struct field {kind.kind}.{path} of type {go_type}")
        if problems.unknown:
            unknown = ", ".join(f'unknown field "{path}"' for path in problems.unknown)
            if validation.mode == "Strict":
                raise wire.bad_request(f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: '
                                       f"strict decoding error: {unknown}")
            if validation.mode == "Warn":
                validation.warnings += [f'unknown field "{path}"' for path in problems.unknown]
        causes = []
        for path, expected, got in problems.types:  # custom resources only, as upstream's schema validation
            causes.append((path, f'Invalid value: "{got}": {path} in body must be of type {expected}: "{got}"'))
        causes += [(path, "Required value") for path in problems.required]
        causes += problems.invalid
        causes += self.builtin_rules(kind, obj)
        if causes:
            raise wire.invalid(kind.kind, kind.group, name, causes)
        if problems.unknown:
            return openapi.prune(obj, {"$ref": kind.definition}, self.registry.definitions)
        return obj

    def builtin_rules(self, kind, obj):
        """The parts of upstream's validation code that a schema cannot say."""
        causes = []
        metadata = obj.get("metadata", {})
        name = metadata.get("name", "")
        if name and kind.kind != "Scale" and not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name):
            causes.append(("metadata.name", f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower '
                           "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
                           "(e.g. 'example.com', regex used for validation is "
                           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"))
        spec = obj.get("spec") or {}
        if kind.kind in ("Deployment", "StatefulSet", "ReplicaSet", "Scale"):
            replicas = spec.get("replicas")
            if isinstance(replicas, int) and replicas < 0:
                causes.append(("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0"))
        if kind.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec.get("selector"), dict):
            labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            try:
                requirements = wire.label_selector_requirements(spec["selector"])
            except wire.SelectorError as error:
                causes.append(("spec.selector", f"Invalid value: {error}"))
            else:
                if not requirements:
                    causes.append(("spec.selector", "Invalid value: \"null\": empty selector is invalid for deployment"))
                elif not wire.selector_matches(requirements, labels):
                    pairs = ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items()))
                    causes.append(("spec.template.metadata.labels",
                                   f"Invalid value: map[string]string{{{pairs}}}: `selector` does not match template `labels`"))
            for index, container in enumerate(((spec.get("template") or {}).get("spec") or {}).get("containers") or []):
                if isinstance(container, dict) and not container.get("image"):
                    causes.append((f"spec.template.spec.containers[{index}].image", "Required value"))
        if kind.kind == "Pod":
            for index, container in enumerate(spec.get("containers") or []):
                if isinstance(container, dict) and not container.get("image"):
                    causes.append((f"spec.containers[{index}].image", "Required value"))
        if kind.kind == "CustomResourceDefinition":
            names = spec.get("names") or {}
            if name != f"{names.get('plural')}.{spec.get('group')}":
                causes.append(("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group'))
            versions = spec.get("versions") or []
            if sum(1 for version in versions if version.get("storage")) != 1:
                causes.append(("spec.versions", "Invalid value: must have exactly one version marked as storage version"))
            if spec.get("scope") not in ("Namespaced", "Cluster"):
                causes.append(("spec.scope", f'Unsupported value: "{spec.get("scope")}": supported values: "Cluster", "Namespaced"'))
        return causes

    def defaults(self, kind, obj):
        """Upstream's defaulting for the fields controllers read back."""
        spec = obj.get("spec")
        if kind.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            if kind.kind == "Deployment":
                spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
                spec.setdefault("revisionHistoryLimit", 10)
                spec.setdefault("progressDeadlineSeconds", 600)
            if kind.kind == "StatefulSet":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
                spec.setdefault("revisionHistoryLimit", 10)
            template = spec.get("template")
            if isinstance(template, dict) and isinstance(template.get("spec"), dict):
                self.default_pod_spec(template["spec"])
        if kind.kind == "Pod" and isinstance(spec, dict):
            self.default_pod_spec(spec)
        if kind.kind == "Service" and isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            spec.setdefault("sessionAffinity", "None")
            if spec["type"] != "ExternalName":
                spec.setdefault("clusterIP", f"10.96.{random.randint(0, 255)}.{random.randint(1, 254)}")
                spec.setdefault("clusterIPs", [spec["clusterIP"]])
            for port in spec.get("ports") or []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")
                    port.setdefault("targetPort", port.get("port"))
        if kind.kind == "Namespace":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        if kind.kind == "Secret":
            obj.setdefault("type", "Opaque")
        if kind.custom:
            openapi.apply_defaults(obj, self.registry.definitions.get(kind.definition, {}), self.registry.definitions)

    @staticmethod
    def default_pod_spec(spec):
        spec.setdefault("restartPolicy", "Always")
        spec.setdefault("terminationGracePeriodSeconds", 30)
        spec.setdefault("dnsPolicy", "ClusterFirst")
        spec.setdefault("securityContext", {})
        spec.setdefault("schedulerName", "default-scheduler")
        for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
            if not isinstance(container, dict):
                continue
            container.setdefault("resources", {})
            container.setdefault("terminationMessagePath", "/dev/termination-log")
            container.setdefault("terminationMessagePolicy", "File")
            image = container.get("image") or ""
            latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
            container.setdefault("imagePullPolicy", "Always" if latest and "@" not in image else "IfNotPresent")
            for port in container.get("ports") or []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")

    # Writing

    def prepare_body(self, kind, body, namespace, name=None):
        if not isinstance(body, dict):
            raise wire.bad_request(f"the body of the request was not a {kind.kind} object")
        obj = copy.deepcopy(body)
        if obj.get("kind") not in (None, kind.kind):
            raise wire.bad_request(f'{obj.get("kind")} in version "{kind.version}" cannot be handled as a {kind.kind}: '
                                   f'the kind of the body, {obj.get("kind")}, is not {kind.kind}')
        obj["apiVersion"], obj["kind"] = kind.api_version, kind.kind
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise wire.bad_request(f'{kind.kind} in version "{kind.version}" cannot be handled as a {kind.kind}: json: '
                                   f"cannot unmarshal {type(metadata).__name__} into Go struct field {kind.kind}.metadata of type v1.ObjectMeta")
        if kind.namespaced:
            if metadata.get("namespace") not in (None, "", namespace):
                raise wire.bad_request("the namespace of the provided object does not match the namespace sent on the request")
            metadata["namespace"] = namespace
        else:
            metadata.pop("namespace", None)
        if name is not None and metadata.get("name") not in (None, name):
            raise wire.bad_request(f'the name of the object ({metadata.get("name")}) does not match the name on the URL ({name})')
        return obj

    def create(self, kind, namespace, body, validation, internal=False):
        obj = self.prepare_body(kind, body, namespace)
        metadata = obj["metadata"]
        if not metadata.get("name"):
            if metadata.get("generateName"):
                metadata["name"] = metadata["generateName"] + random_suffix()
            else:
                raise wire.invalid(kind.kind, kind.group, "", [("metadata.name", "Required value: name or generateName is required")])
        with self.store.lock:
            if kind.namespaced and not internal and self.store.get(self.registry.find("", "v1", "namespaces"), "", namespace) is None:
                raise wire.not_found("namespaces", "", namespace)
            if self.store.get(kind, namespace, metadata["name"]) is not None:
                raise wire.already_exists(kind.resource, kind.group, metadata["name"])
            if "status" in kind.subresources and kind.kind != "Namespace" and not internal:
                obj.pop("status", None)
            for key in ("uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
                metadata.pop(key, None)
            metadata["uid"] = str(uuid.uuid4())
            metadata["creationTimestamp"] = now()
            if "spec" in obj or kind.custom:
                metadata["generation"] = 1
            self.defaults(kind, obj)
            if not internal:
                obj = self.check(kind, obj, validation)
            if validation.dry_run:
                return obj
            stored = self.store.put(kind, obj)
            if kind.kind == "CustomResourceDefinition":
                self.crd_created(stored)
            if kind.kind == "Namespace":
                self.namespace_created(stored)
            return self.store.get(kind, namespace, metadata["name"]) or stored

    def update(self, kind, namespace, name, body, validation, subresource=None, patched_from=None):
        """PUT (and the last step of PATCH): optimistic concurrency on metadata.resourceVersion;
        the main resource keeps the old status, /status keeps everything else."""
        with self.store.lock:
            current = self.get(kind, namespace, name)
            obj = self.prepare_body(kind, body, namespace, name)
            wanted = obj["metadata"].get("resourceVersion")
            if wanted:
                if wanted != current["metadata"]["resourceVersion"]:
                    raise wire.conflict(kind.resource, kind.group, name)
            elif patched_from is None and kind.custom:
                raise wire.invalid(kind.kind, kind.group, name, [("metadata.resourceVersion",
                                                                 "Invalid value: 0x0: must be specified for an update")])
            if subresource == "status":
                updated = copy.deepcopy(current)
                if "status" in obj:
                    updated["status"] = obj["status"]
                else:
                    updated.pop("status", None)
                obj = updated
            else:
                if "status" in kind.subresources:
                    if "status" in current:
                        obj["status"] = current["status"]
                    else:
                        obj.pop("status", None)
                for key in ("uid", "creationTimestamp", "generation", "deletionTimestamp"):
                    if key in current["metadata"]:
                        obj["metadata"][key] = current["metadata"][key]
                    else:
                        obj["metadata"].pop(key, None)
                self.defaults(kind, obj)
                if self.spec_of(kind, obj) != self.spec_of(kind, current) and "generation" in current["metadata"]:
                    obj["metadata"]["generation"] = current["metadata"]["generation"] + 1
            if kind.kind == "Namespace":
                obj["status"] = current.get("status", {"phase": "Active"})
            obj = self.check(kind, obj, validation)
            if validation.dry_run:
                obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
                return obj
            if obj == current:  # upstream skips no-op writes: same resourceVersion, no event
                return current
            stored = self.store.put(kind, obj)
            if kind.kind == "CustomResourceDefinition":
                self.crd_created(stored)
            return stored

    @staticmethod
    def spec_of(kind, obj):
        """What bumps metadata.generation: spec for built-ins, everything but metadata and status for CRs."""
        if kind.custom or "spec" not in obj:
            return {key: value for key, value in obj.items() if key not in ("metadata", "status")}
        return obj.get("spec")

    def patch(self, kind, namespace, name, content_type, body, validation, subresource=None):
        with self.store.lock:
            current = self.get(kind, namespace, name)
            patched = self.apply_patch(current, content_type, body, custom=kind.custom)
            if not isinstance(patched, dict):
                raise wire.bad_request("the patch did not produce an object")
            patched.setdefault("metadata", {})
            if patched["metadata"].get("resourceVersion") not in (None, current["metadata"]["resourceVersion"]):
                raise wire.conflict(kind.resource, kind.group, name)
            for key in ("name", "namespace"):
                if patched["metadata"].get(key, current["metadata"].get(key)) != current["metadata"].get(key):
                    raise wire.bad_request(f"metadata.{key} cannot be changed by a patch")
            return self.update(kind, namespace, name, patched, validation, subresource, patched_from=current)

    @staticmethod
    def apply_patch(current, content_type, body, custom=False):
        """`current` with the patch applied; custom resources take no strategic merge patch."""
        media = (content_type or "").split(";")[0].strip()
        try:
            patch = json.loads(body or b"null")
        except ValueError as error:
            if media == "application/apply-patch+yaml":
                patch = None
            else:
                raise wire.bad_request(f"error decoding patch: {error}")
        if media == "application/merge-patch+json":
            return wire.merge_patch(current, patch)
        if media == "application/strategic-merge-patch+json" and not custom:
            return wire.strategic_merge_patch(current, patch)
        if media == "application/json-patch+json":
            return wire.json_patch(current, patch)
        accepted = ("application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                    if custom else "application/json-patch+json, application/merge-patch+json, "
                    "application/strategic-merge-patch+json")
        if media == "application/apply-patch+yaml":
            raise APIError(415, "UnsupportedMediaType", "this test server does not implement server-side apply "
                           f"(application/apply-patch+yaml); use one of: {accepted}")
        raise APIError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted media "
                       f"types include: {accepted}")

    def delete(self, kind, namespace, name, validation, preconditions=None):
        with self.store.lock:
            current = self.get(kind, namespace, name)
            if preconditions:
                if preconditions.get("resourceVersion") not in (None, current["metadata"]["resourceVersion"]):
                    raise wire.conflict(kind.resource, kind.group, name)
                if preconditions.get("uid") not in (None, current["metadata"]["uid"]):
                    raise wire.conflict(kind.resource, kind.group, name)
            if validation.dry_run:
                return current
            if kind.kind == "Namespace":
                self.empty_namespace(name)
            gone = self.store.remove(kind, namespace, name)
            if kind.kind == "CustomResourceDefinition":
                self.crd_deleted(gone)
            return gone

    # What creating and deleting some kinds sets off, as upstream's controllers do it

    def namespace_created(self, namespace):
        """The service account controller's `default` ServiceAccount in every new namespace."""
        accounts = self.registry.find("", "v1", "serviceaccounts")
        name = namespace["metadata"]["name"]
        if self.store.get(accounts, name, "default") is None:
            self.create(accounts, name, {"metadata": {"name": "default"}}, Validation({}), internal=True)

    def empty_namespace(self, namespace):
        for kind in list(self.registry.kinds.values()):
            if kind.namespaced and kind.group != "metrics.k8s.io":
                for obj in self.store.list(kind, namespace):
                    self.store.remove(kind, namespace, obj["metadata"]["name"])

    def crd_created(self, crd):
        self.registry.install_crd(crd)
        if not crd.get("status", {}).get("acceptedNames"):
            kind = self.registry.find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            established = copy.deepcopy(crd)
            established["status"] = {
                "acceptedNames": crd["spec"]["names"], "storedVersions": [v["name"] for v in crd["spec"]["versions"] if v.get("storage")],
                "conditions": [{"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                                "message": "no conflicts found", "lastTransitionTime": now()},
                               {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                                "message": "the initial names have been accepted", "lastTransitionTime": now()}]}
            self.store.put(kind, established)

    def crd_deleted(self, crd):
        keys = self.registry.crd_kinds.get(crd["metadata"]["name"], [])
        for key in keys:
            kind = self.registry.kinds.get(key)
            if kind is not None:
                for obj in self.store.list(kind):
                    self.store.remove(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self.registry.remove_crd(crd["metadata"]["name"])

    # The scale subresource

    def scale_of(self, kind, workload):
        """autoscaling/v1 Scale of a workload, as upstream's scale storage builds it."""
        metadata = workload["metadata"]
        try:
            requirements = wire.label_selector_requirements((workload.get("spec") or {}).get("selector"))
            selector = wire.selector_string(requirements) if requirements is not None else ""
        except wire.SelectorError:
            selector = ""
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {key: metadata[key] for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if key in metadata},
                "spec": {"replicas": (workload.get("spec") or {}).get("replicas", 0)},
                "status": {"replicas": (workload.get("status") or {}).get("replicas", 0), "selector": selector}}

    def update_scale(self, kind, namespace, name, scale, validation):
        with self.store.lock:
            workload = self.get(kind, namespace, name)
            if not isinstance(scale, dict):
                raise wire.bad_request("the body of the request was not a Scale object")
            problems = openapi.validate(scale, {"$ref": "io.k8s.api.autoscaling.v1.Scale"}, self.registry.definitions)
            if problems.types:
                path, expected, got = problems.types[0]
                raise wire.bad_request(f'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                                       f"{got} into Go struct field Scale.{path} of type int32")
            replicas = (scale.get("spec") or {}).get("replicas") or 0
            if replicas < 0:
                raise wire.invalid("Scale", "autoscaling", name, [("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")])
            wanted = (scale.get("metadata") or {}).get("resourceVersion")
            if wanted and wanted != workload["metadata"]["resourceVersion"]:
                raise wire.conflict(kind.resource, kind.group, name)
            workload.setdefault("spec", {})["replicas"] = replicas
            updated = self.update(kind, namespace, name, workload, validation, patched_from=workload)
            return self.scale_of(kind, updated)

    def patch_scale(self, kind, namespace, name, content_type, body, validation):
        with self.store.lock:
            current = self.scale_of(kind, self.get(kind, namespace, name))
            patched = self.apply_patch(current, content_type, body)
            return self.update_scale(kind, namespace, name, patched, validation)

# --- the workload controller and the kubelet ----------------------------------------------

class Cluster(threading.Thread):
    """What kube-controller-manager and the kubelets would do, in one thread: pods follow each
    Deployment's, StatefulSet's and ReplicaSet's replicas (created from the template, the
    newest deleted first), start Running, become Ready after --ready-delay-s, are replaced
    when deleted; workload status follows; dependents of deleted owners are collected."""

    WORKLOADS = ("Deployment", "StatefulSet", "ReplicaSet")

    def __init__(self, registry, store, api, ready_delay):
        super().__init__(daemon=True, name="cluster")
        self.registry, self.store, self.api = registry, store, api
        self.ready_delay = ready_delay
        self.wakeup = threading.Condition()
        self.pending = set()       # (group, resource, namespace, name) of workloads to sync; guarded by wakeup
        self.orphaned = []         # uids of deleted objects whose dependents go; guarded by wakeup
        self.ready_at = {}         # pod uid -> (time it turns Ready, namespace, name); guarded by wakeup
        self.sequence = {}         # pod uid -> creation order, to delete the newest first
        self.next_ip = 1
        store.listeners.append(self.observe)

    def observe(self, event_type, kind, old, new):
        """Store listener (called under the store lock): queues what needs a sync."""
        obj = new if new is not None else old
        with self.wakeup:
            if kind.kind in self.WORKLOADS and kind.group == "apps":
                self.pending.add((kind.group, kind.resource, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
            if kind.kind == "Pod":
                for owner in obj["metadata"].get("ownerReferences") or []:
                    owner_kind = owner.get("kind")
                    if owner_kind in self.WORKLOADS:
                        resource = owner_kind.lower() + "s"
                        self.pending.add(("apps", resource, obj["metadata"].get("namespace", ""), owner.get("name")))
                if event_type == "ADDED" and not (new.get("status") or {}).get("phase"):
                    self.pending.add(("", "pods", new["metadata"].get("namespace", ""), new["metadata"]["name"]))
            if event_type == "DELETED":
                self.orphaned.append(obj["metadata"].get("uid"))
            self.wakeup.notify()

    def run(self):
        while True:
            with self.wakeup:
                if not self.pending and not self.orphaned:
                    due = min((at for at, _, _ in self.ready_at.values()), default=None)
                    self.wakeup.wait(0.5 if due is None else max(0.0, min(0.5, due - time.time())))
                pending, self.pending = self.pending, set()
                orphaned, self.orphaned = self.orphaned, []
                due = [(uid, ns, name) for uid, (at, ns, name) in self.ready_at.items() if at <= time.time()]
                for uid, _, _ in due:
                    self.ready_at.pop(uid, None)
            try:
                for uid in orphaned:
                    self.collect_dependents(uid)
                for group, resource, namespace, name in sorted(pending, key=lambda key: key[1] != "pods"):
                    if resource == "pods":
                        self.start_pod(namespace, name)
                    else:
                        self.sync(self.registry.by_group_resource(group, resource), namespace, name)
                for uid, namespace, name in due:
                    self.become_ready(uid, namespace, name)
            except Exception as error:  # keep the cluster running; the log says what broke
                print(f"cluster: {error!r}", file=sys.stderr, flush=True)

    def pods(self):
        return self.registry.find("", "v1", "pods")

    def owned_pods(self, workload):
        uid = workload["metadata"]["uid"]
        return [pod for pod in self.store.list(self.pods(), workload["metadata"]["namespace"])
                if any(owner.get("uid") == uid for owner in pod["metadata"].get("ownerReferences") or [])]

    def sync(self, kind, namespace, name):
        if kind is None:
            return
        with self.store.lock:
            workload = self.store.get(kind, namespace, name)
            if workload is None:
                return
            desired = (workload.get("spec") or {}).get("replicas", 1)
            pods = self.owned_pods(workload)
            if kind.kind == "StatefulSet":
                ordinals = {int(p["metadata"]["name"].rsplit("-", 1)[1]): p for p in pods
                            if p["metadata"]["name"].rsplit("-", 1)[-1].isdigit()}
                for ordinal in range(desired):
                    if ordinal not in ordinals:
                        self.create_pod(kind, workload, f"{name}-{ordinal}", ordinal)
                for ordinal in sorted(ordinals, reverse=True):
                    if ordinal >= desired:
                        self.store.remove(self.pods(), namespace, ordinals[ordinal]["metadata"]["name"])
            else:
                for _ in range(desired - len(pods)):
                    pod_name = f"{name}-{random_suffix()}"
                    while self.store.get(self.pods(), namespace, pod_name) is not None:
                        pod_name = f"{name}-{random_suffix()}"
                    self.create_pod(kind, workload, pod_name)
                newest = sorted(pods, key=lambda p: self.sequence.get(p["metadata"]["uid"], 0), reverse=True)
                for pod in newest[:max(0, len(pods) - desired)]:
                    self.store.remove(self.pods(), namespace, pod["metadata"]["name"])
            self.update_status(kind, namespace, name)

    def create_pod(self, kind, workload, pod_name, ordinal=None):
        template = copy.deepcopy((workload.get("spec") or {}).get("template") or {})
        metadata = template.get("metadata") or {}
        labels = dict(metadata.get("labels") or {})
        if ordinal is not None:
            labels["statefulset.kubernetes.io/pod-name"] = pod_name
            labels["apps.kubernetes.io/pod-index"] = str(ordinal)
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": pod_name, "namespace": workload["metadata"]["namespace"], "labels": labels,
                            "ownerReferences": [{"apiVersion": workload["apiVersion"], "kind": kind.kind,
                                                 "name": workload["metadata"]["name"], "uid": workload["metadata"]["uid"],
                                                 "controller": True, "blockOwnerDeletion": True}]},
               "spec": template.get("spec") or {"containers": []}}
        if kind.kind != "StatefulSet":
            pod["metadata"]["generateName"] = workload["metadata"]["name"] + "-"
        if metadata.get("annotations"):
            pod["metadata"]["annotations"] = metadata["annotations"]
        pod["spec"].setdefault("serviceAccountName", "default")
        pod["spec"].setdefault("serviceAccount", pod["spec"]["serviceAccountName"])
        created = self.api.create(self.pods(), workload["metadata"]["namespace"], pod, Validation({}), internal=True)
        self.sequence[created["metadata"]["uid"]] = len(self.sequence) + 1
        self.start_pod(created["metadata"]["namespace"], pod_name)

    def start_pod(self, namespace, name):
        """The scheduler and the kubelet: a pending pod gets a node, an IP and Running."""
        with self.store.lock:
            pod = self.store.get(self.pods(), namespace, name)
            if pod is None or (pod.get("status") or {}).get("phase"):
                return
            spec = pod.setdefault("spec", {})
            spec.setdefault("nodeName", "fixture-node")
            started = now()
            ip = f"10.0.{self.next_ip // 250}.{self.next_ip % 250 + 1}"
            self.next_ip += 1
            ready = self.ready_delay <= 0
            pod["status"] = {
                "phase": "Running", "hostIP": "192.168.49.2", "hostIPs": [{"ip": "192.168.49.2"}],
                "podIP": ip, "podIPs": [{"ip": ip}], "startTime": started, "qosClass": self.qos_class(spec),
                "conditions": self.conditions(ready, started),
                "containerStatuses": [{"name": c.get("name"), "image": c.get("image"), "imageID": "",
                                       "containerID": f"containerd://{uuid.uuid4().hex}", "ready": ready,
                                       "started": True, "restartCount": 0, "state": {"running": {"startedAt": started}}}
                                      for c in spec.get("containers") or []]}
            self.store.put(self.pods(), pod)
            if not ready:
                with self.wakeup:
                    self.ready_at[pod["metadata"]["uid"]] = (time.time() + self.ready_delay, namespace, name)
                    self.wakeup.notify()

    @staticmethod
    def conditions(ready, at):
        flag = "True" if ready else "False"
        conditions = [{"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None, "lastTransitionTime": at},
                      {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": at},
                      {"type": "Ready", "status": flag, "lastProbeTime": None, "lastTransitionTime": at},
                      {"type": "ContainersReady", "status": flag, "lastProbeTime": None, "lastTransitionTime": at},
                      {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": at}]
        if not ready:
            for condition in conditions[2:4]:
                condition.update(reason="ContainersNotReady", message="containers with unready status: not ready yet")
        return conditions

    @staticmethod
    def qos_class(spec):
        containers = spec.get("containers") or []
        resources = [c.get("resources") or {} for c in containers]
        if not any(r.get("requests") or r.get("limits") for r in resources):
            return "BestEffort"
        guaranteed = all(set((r.get("limits") or {}).keys()) >= {"cpu", "memory"} and
                         all((r.get("requests") or r.get("limits")).get(k) == r["limits"].get(k) for k in ("cpu", "memory"))
                         for r in resources)
        return "Guaranteed" if guaranteed else "Burstable"

    def become_ready(self, uid, namespace, name):
        with self.store.lock:
            pod = self.store.get(self.pods(), namespace, name)
            if pod is None or pod["metadata"]["uid"] != uid:
                return
            at = now()
            for condition in pod["status"].get("conditions") or []:
                if condition["type"] in ("Ready", "ContainersReady"):
                    condition.update(status="True", lastTransitionTime=at)
                    condition.pop("reason", None)
                    condition.pop("message", None)
            for status in pod["status"].get("containerStatuses") or []:
                status["ready"] = True
            self.store.put(self.pods(), pod)

    @staticmethod
    def is_ready(pod):
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in (pod.get("status") or {}).get("conditions") or [])

    def update_status(self, kind, namespace, name):
        workload = self.store.get(kind, namespace, name)
        if workload is None:
            return
        pods = self.owned_pods(workload)
        ready = sum(1 for pod in pods if self.is_ready(pod))
        status = dict(workload.get("status") or {})
        status.update(observedGeneration=workload["metadata"].get("generation", 1), replicas=len(pods),
                      readyReplicas=ready, availableReplicas=ready)
        if kind.kind == "Deployment":
            status["updatedReplicas"] = len(pods)
            status["unavailableReplicas"] = len(pods) - ready
            if not status["unavailableReplicas"]:
                status.pop("unavailableReplicas")
            available = "True" if ready >= (workload.get("spec") or {}).get("replicas", 1) else "False"
            previous = {c["type"]: c for c in status.get("conditions") or []}
            condition = previous.get("Available")
            if condition is None or condition["status"] != available:
                condition = {"type": "Available", "status": available, "lastUpdateTime": now(), "lastTransitionTime": now(),
                             "reason": "MinimumReplicasAvailable" if available == "True" else "MinimumReplicasUnavailable",
                             "message": "Deployment has minimum availability." if available == "True"
                             else "Deployment does not have minimum availability."}
            status["conditions"] = [condition]
        elif kind.kind == "StatefulSet":
            status.update(currentReplicas=len(pods), updatedReplicas=len(pods))
        else:
            status["fullyLabeledReplicas"] = len(pods)
        for key in ("readyReplicas", "availableReplicas"):
            if not status.get(key):
                status.pop(key, None)
        if status != workload.get("status"):
            workload["status"] = status
            self.store.put(kind, workload)

    def collect_dependents(self, uid):
        """The garbage collector (background propagation): dependents of a deleted owner go."""
        if not uid:
            return
        with self.store.lock:
            for kind in list(self.registry.kinds.values()):
                if not kind.namespaced or kind.group == "metrics.k8s.io":
                    continue
                for obj in self.store.list(kind):
                    if any(owner.get("uid") == uid for owner in obj["metadata"].get("ownerReferences") or []):
                        owners = obj["metadata"]["ownerReferences"]
                        if all(self.owner_gone(owner, obj["metadata"].get("namespace")) for owner in owners):
                            self.store.remove(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])

    def owner_gone(self, owner, namespace):
        group = owner.get("apiVersion", "").split("/")[0] if "/" in owner.get("apiVersion", "") else ""
        kind = next((k for k in self.registry.kinds.values() if k.group == group and k.kind == owner.get("kind")), None)
        if kind is None:
            return True
        found = self.store.get(kind, namespace if kind.namespaced else "", owner.get("name"))
        return found is None or found["metadata"].get("uid") != owner.get("uid")

# --- metrics.k8s.io and the test controls -------------------------------------------------

class Usage:
    """The usage rules set through POST /fixture/usage; later rules win, per figure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []  # dicts: namespace, pod | requirements, container, cpu, memory

    def add(self, body):
        rule = {"namespace": body.get("namespace", "default"), "pod": body.get("pod"),
                "requirements": wire.parse_label_selector(body["selector"]) if body.get("selector") is not None else None,
                "container": body.get("container"), "cpu": body.get("cpu"), "memory": body.get("memory")}
        if rule["pod"] is None and rule["requirements"] is None:
            raise wire.bad_request('a usage rule needs "pod" or "selector"')
        with self.lock:
            self.rules.append(rule)
        return rule

    def of(self, pod, container):
        usage = {"cpu": "0", "memory": "0"}
        metadata = pod["metadata"]
        with self.lock:
            for rule in self.rules:
                if rule["namespace"] != metadata.get("namespace"):
                    continue
                if rule["pod"] is not None and rule["pod"] != metadata["name"]:
                    continue
                if rule["requirements"] is not None and not wire.selector_matches(rule["requirements"], metadata.get("labels")):
                    continue
                if rule["container"] is not None and rule["container"] != container:
                    continue
                for figure in ("cpu", "memory"):
                    if rule[figure] is not None:
                        usage[figure] = str(rule[figure])
        return usage

    def pod_metrics(self, pod):
        metadata = pod["metadata"]
        return {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": metadata["name"], "namespace": metadata["namespace"],
                             "labels": metadata.get("labels") or {}, "creationTimestamp": now()},
                "timestamp": now(), "window": "30s",
                "containers": [{"name": c.get("name"), "usage": self.of(pod, c.get("name"))}
                               for c in (pod.get("spec") or {}).get("containers") or []]}


class Faults:
    """Failures armed through POST /fixture/faults, each for its next `count` matching requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.armed = []

    def arm(self, body):
        status = int(body.get("status", 500))
        if status not in (409, 429, 500, 503):
            raise wire.bad_request("status must be 409, 429, 500 or 503")
        fault = {"method": (body.get("method") or "*").upper(), "pathSuffix": body.get("pathSuffix") or "",
                 "pathContains": body.get("pathContains") or "", "status": status, "count": int(body.get("count", 1)),
                 "retryAfter": str(body.get("retryAfter", "1"))}
        with self.lock:
            self.armed.append(fault)
        return fault

    def take(self, method, path):
        with self.lock:
            for fault in self.armed:
                if fault["count"] > 0 and fault["method"] in ("*", method) and path.endswith(fault["pathSuffix"]) \
                        and fault["pathContains"] in path:
                    fault["count"] -= 1
                    return dict(fault)
        return None

    @staticmethod
    def error(fault, path):
        parts = [part for part in path.split("/") if part]
        resource, group, name = "", "", ""
        if parts[:1] == ["api"] or parts[:1] == ["apis"]:
            rest = parts[2:] if parts[0] == "api" else parts[3:]
            group = "" if parts[0] == "api" else parts[1]
            if rest[:1] == ["namespaces"] and len(rest) > 2:
                rest = rest[2:]
            resource = rest[0] if rest else ""
            name = rest[1] if len(rest) > 1 else ""
        status = fault["status"]
        if status == 409:
            return wire.conflict(resource, group, name)
        if status == 429:
            return APIError(429, "TooManyRequests", "Too many requests, please try again later.",
                            {"retryAfterSeconds": int(float(fault["retryAfter"]))}, {"Retry-After": fault["retryAfter"]})
        if status == 503:
            return APIError(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)",
                            headers={"Retry-After": fault["retryAfter"]} if fault.get("retryAfter") else {})
        return APIError(500, "InternalError", "Internal error occurred: injected fault",
                        {"causes": [{"message": "injected fault"}]})


class RequestLog:
    """Every API request (not /fixture ones) with what came back, for GET /fixture/requests."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def add(self, entry):
        with self.lock:
            self.entries.append(entry)

    def all(self):
        with self.lock:
            return list(self.entries)

    def reset(self):
        with self.lock:
            self.entries.clear()

# --- HTTP ---------------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, options):
        super().__init__(("127.0.0.1", options.port), Handler)
        self.options = options
        self.registry = Registry()
        self.store = Store()
        self.api = API(self.registry, self.store)
        self.cluster = Cluster(self.registry, self.store, self.api, options.ready_delay_s)
        self.usage, self.faults, self.log = Usage(), Faults(), RequestLog()
        self.tls = None
        if options.tls_cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(options.tls_cert, options.tls_key)
            if options.client_ca:
                self.tls.verify_mode = ssl.CERT_OPTIONAL
                self.tls.load_verify_locations(options.client_ca)

    def get_request(self):
        connection, address = super().get_request()
        if self.tls is not None:
            # The handshake runs on the connection's own thread (Handler.setup), not the accept loop.
            connection = self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False)
        return connection, address

    def bootstrap(self):
        namespaces = self.registry.find("", "v1", "namespaces")
        for name in ("default", "kube-system", "kube-public"):
            self.api.create(namespaces, "", {"metadata": {"name": name}}, Validation({}), internal=True)
        # The API server's own Service, as every cluster has it.
        self.api.create(self.registry.find("", "v1", "services"), "default", {
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}},
            Validation({}), internal=True)
        if self.options.seed:
            with open(self.options.seed) as file:
                seed = json.load(file)
            for obj in seed.get("items", []) if isinstance(seed, dict) else seed:
                self.put_object(obj)

    def put_object(self, obj):
        """POST /fixture/objects and --seed: create or replace, skipping validation, creating
        the namespace when it is missing."""
        api_version = obj.get("apiVersion", "v1")
        group, version = api_version.split("/") if "/" in api_version else ("", api_version)
        kind = next((k for k in self.registry.kinds.values() if k.group == group and k.version == version
                     and k.kind == obj.get("kind")), None)
        if kind is None:
            raise wire.bad_request(f"no kind {obj.get('kind')} is served in {api_version}")
        namespace = (obj.get("metadata") or {}).get("namespace", "default") if kind.namespaced else ""
        namespaces = self.registry.find("", "v1", "namespaces")
        if kind.namespaced and self.store.get(namespaces, "", namespace) is None:
            self.api.create(namespaces, "", {"metadata": {"name": namespace}}, Validation({}), internal=True)
        name = (obj.get("metadata") or {}).get("name")
        with self.store.lock:
            existing = self.store.get(kind, namespace, name) if name else None
            if existing is None:
                return self.api.create(kind, namespace, obj, Validation({}), internal=True)
            replacement = copy.deepcopy(obj)
            replacement.setdefault("metadata", {})["resourceVersion"] = existing["metadata"]["resourceVersion"]
            if "status" in obj:  # a seeded status is kept
                self.api.update(kind, namespace, name, replacement, Validation({"fieldValidation": ["Ignore"]}))
                replacement["metadata"]["resourceVersion"] = self.store.get(kind, namespace, name)["metadata"]["resourceVersion"]
                return self.api.update(kind, namespace, name, replacement, Validation({"fieldValidation": ["Ignore"]}), "status")
            return self.api.update(kind, namespace, name, replacement, Validation({"fieldValidation": ["Ignore"]}))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-apiserver"
    sys_version = ""

    # Plumbing

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as error:
                print(f"tls handshake failed: {error}", file=sys.stderr, flush=True)
                self.request.close()
                raise
            self.request.settimeout(None)
        super().setup()

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, BrokenPipeError, TimeoutError):
            pass

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_body(self, status, body, headers=None, content_type="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body, separators=(",", ":")) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for key, value in (headers or {}).items():
            for item in value if isinstance(value, list) else [value]:
                self.send_header(key, item)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.status_sent = status

    def send_error_status(self, error):
        self.send_body(error.code, error.status(), error.headers)

    def dispatch(self):
        self.status_sent = None
        split = urllib.parse.urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        body = self.read_body()
        server = self.server
        if path.startswith("/fixture/"):
            try:
                self.fixture(path, body)
            except APIError as error:
                self.send_error_status(error)
            return
        parsed_body = None
        if body:
            try:
                parsed_body = json.loads(body)
            except ValueError:
                parsed_body = None
        # One reading of the clock for both parts: two could straddle a second and log a time
        # a whole second early.
        milliseconds = int(time.time() * 1000)
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(milliseconds // 1000)) + f".{milliseconds % 1000:03d}Z",
                 "method": self.command, "path": path, "query": split.query,
                 "contentType": self.headers.get("Content-Type"), "accept": self.headers.get("Accept"),
                 "userAgent": self.headers.get("User-Agent"), "auth": None, "status": None, "body": parsed_body}
        try:
            entry["auth"] = self.authenticate()
            fault = server.faults.take(self.command, path)
            if fault is not None:
                raise Faults.error(fault, path)
            self.route(path, query, body)
        except APIError as error:
            self.send_error_status(error)
        except (ConnectionError, BrokenPipeError):
            raise
        except Exception as error:  # a bug here must still answer in the wire format
            traceback.print_exc()
            self.send_error_status(APIError(500, "InternalError", f"Internal error occurred: {error!r}"))
        finally:
            entry["status"] = self.status_sent
            server.log.add(entry)
            print(f"{self.command} {self.path} {entry['status']}", file=sys.stderr, flush=True)

    def authenticate(self):
        """Bearer token (the file re-read each request, so tests can rotate it) or a client
        certificate signed by --client-ca; without either configured, everyone is let in."""
        options = self.server.options
        token = options.token
        if options.token_file:
            try:
                with open(options.token_file) as file:
                    token = file.read().strip()
            except OSError:
                token = None
        needs = bool(options.token or options.token_file or options.client_ca)
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer ") and token and header[len("Bearer "):].strip() == token:
            return "bearer"
        if options.client_ca and isinstance(self.connection, ssl.SSLSocket) and self.connection.getpeercert():
            return "client-certificate"
        if needs:
            raise APIError(401, "Unauthorized", "Unauthorized")
        return None

    # Routing

    def route(self, path, query, body):
        server = self.server
        if path == "/version":
            return self.send_body(200, SERVER_VERSION)
        if path in ("/healthz", "/livez", "/readyz"):
            return self.send_body(200, b"ok", content_type="text/plain; charset=utf-8")
        if path == "/api":
            return self.send_body(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": f"127.0.0.1:{server.server_address[1]}"}]})
        if path == "/apis":
            return self.send_body(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                self.api_group(group, versions) for group, versions in server.registry.group_versions() if group]})
        if path.startswith("/openapi/"):
            return self.openapi(path)
        parts = [urllib.parse.unquote(part) for part in path.split("/")[1:]]
        if parts[0] == "api" and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 2:
            if len(parts) == 2:
                found = dict(server.registry.group_versions()).get(parts[1])
                if found:
                    return self.send_body(200, dict(self.api_group(parts[1], found), kind="APIGroup", apiVersion="v1"))
                raise APIError(404, "NotFound", "the server could not find the requested resource", {})
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        if not server.registry.kinds_of(group, version):
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        if not rest:
            return self.send_body(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                        "groupVersion": f"{group}/{version}" if group else version,
                                        "resources": [entry for kind in server.registry.kinds_of(group, version)
                                                      for entry in kind.discovery()]})
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and server.registry.find(group, version, rest[2]) is not None \
                and server.registry.find(group, version, rest[2]).namespaced:
            namespace, rest = rest[1], rest[2:]
        kind = server.registry.find(group, version, rest[0])
        if kind is None or len(rest) > 3:
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        if kind.namespaced and namespace is None and len(rest) > 1:
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        if subresource is not None and subresource not in kind.subresources:
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        if kind.group == "metrics.k8s.io":
            return self.metrics(kind, namespace, name, query)
        return self.resource(kind, namespace or "", name, subresource, query, body)

    @staticmethod
    def api_group(group, versions):
        listed = [{"groupVersion": f"{group}/{version}", "version": version} for version in versions]
        return {"name": group, "versions": listed, "preferredVersion": listed[0]}

    # Objects

    def wants_table(self):
        return "as=Table" in (self.headers.get("Accept") or "")

    def resource(self, kind, namespace, name, subresource, query, body):
        api, server = self.server.api, self.server
        validation = Validation(query, not self.server.options.no_field_validation)
        method = self.command
        if name is None:
            if method in ("GET", "HEAD"):
                if (query.get("watch") or [""])[0] in ("true", "1"):
                    return self.watch(kind, namespace or None, query)
                return self.list(kind, namespace or None, query)
            if method == "POST":
                created = api.create(kind, namespace, self.json_body(body), validation)
                return self.send_body(201, created, self.warning_headers(validation))
            if method == "DELETE":
                deleted = []
                for obj in self.select(kind, namespace or None, query):
                    deleted.append(api.delete(kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], validation))
                return self.send_body(200, {"kind": kind.kind + "List", "apiVersion": kind.api_version,
                                            "metadata": {"resourceVersion": server.store.current()}, "items": deleted})
            raise APIError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource")
        if subresource == "scale":
            if method == "GET":
                return self.send_body(200, api.scale_of(kind, api.get(kind, namespace, name)))
            if method == "PUT":
                return self.send_body(200, api.update_scale(kind, namespace, name, self.json_body(body), validation))
            if method == "PATCH":
                return self.send_body(200, api.patch_scale(kind, namespace, name, self.headers.get("Content-Type"), body, validation))
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if method in ("GET", "HEAD"):
            obj = api.get(kind, namespace, name)
            if self.wants_table():
                return self.send_body(200, self.table(kind, [obj], obj["metadata"]["resourceVersion"], query))
            return self.send_body(200, obj)
        if method == "PUT":
            updated = api.update(kind, namespace, name, self.json_body(body), validation, subresource)
            return self.send_body(200, updated, self.warning_headers(validation))
        if method == "PATCH":
            patched = api.patch(kind, namespace, name, self.headers.get("Content-Type"), body, validation, subresource)
            return self.send_body(200, patched, self.warning_headers(validation))
        if method == "DELETE" and subresource is None:
            options = self.json_body(body) if body else {}
            deleted = api.delete(kind, namespace, name, validation, (options or {}).get("preconditions"))
            return self.send_body(200, deleted)
        raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def json_body(self, body):
        if (self.headers.get("Content-Type") or "").startswith("application/vnd.kubernetes.protobuf"):
            try:
                return wire.decode_protobuf_object(body)
            except (ValueError, IndexError, UnicodeDecodeError) as error:
                raise wire.bad_request(f"the protobuf body could not be decoded: {error}")
        try:
            return json.loads(body or b"null")
        except ValueError as error:
            raise wire.bad_request(f"the body of the request could not be decoded as JSON: {error}")

    @staticmethod
    def warning_headers(validation):
        if not validation.warnings:
            return {}
        return {"Warning": [f'299 - {json.dumps(message)}' for message in validation.warnings]}

    def select(self, kind, namespace, query):
        """The objects a list or deletecollection names: namespace, labelSelector, fieldSelector."""
        try:
            requirements = wire.parse_label_selector((query.get("labelSelector") or [""])[0])
            field_selector = (query.get("fieldSelector") or [""])[0]
            return [obj for obj in self.server.store.list(kind, namespace)
                    if wire.selector_matches(requirements, obj["metadata"].get("labels"))
                    and wire.field_selector_matches(field_selector, obj)]
        except wire.SelectorError as error:
            raise wire.bad_request(f"unable to parse requirement: {error}")

    def list(self, kind, namespace, query):
        with self.server.store.lock:
            items = self.select(kind, namespace, query)
            revision = self.server.store.current()
        if self.wants_table():
            return self.send_body(200, self.table(kind, items, revision, query))
        return self.send_body(200, {"kind": kind.kind + "List", "apiVersion": kind.api_version,
                                    "metadata": {"resourceVersion": revision}, "items": items})

    def table(self, kind, objects, revision, query, with_columns=True):
        include = (query.get("includeObject") or ["Metadata"])[0]
        return wire.to_table(kind.kind, objects, revision, include, kind.printer_columns, with_columns)

    # Watch

    def watch(self, kind, namespace, query):
        """A chunked stream of watch events: the changes after ?resourceVersion (replayed from
        the history), then live ones, until timeoutSeconds or the client leaves. An expired
        resourceVersion gets one ERROR event (410 Expired), as upstream's watch cache does."""
        store = self.server.store
        timeout = min(float((query.get("timeoutSeconds") or ["60"])[0] or 60), 300.0)
        deadline = time.time() + timeout
        try:
            requirements = wire.parse_label_selector((query.get("labelSelector") or [""])[0])
            field_selector = (query.get("fieldSelector") or [""])[0]
            wire.field_selector_matches(field_selector, {})
        except wire.SelectorError as error:
            raise wire.bad_request(f"unable to parse requirement: {error}")
        bookmarks = (query.get("allowWatchBookmarks") or [""])[0] == "true"
        table = self.wants_table()
        start = (query.get("resourceVersion") or [""])[0]
        if start not in ("", "0") and not start.isdigit():
            raise wire.bad_request(f"invalid resource version: {start}")

        def matches(obj):
            if obj is None:
                return False
            if namespace is not None and obj["metadata"].get("namespace") != namespace:
                return False
            return wire.selector_matches(requirements, obj["metadata"].get("labels")) and \
                wire.field_selector_matches(field_selector, obj)

        # What to send first: every matching object (no resourceVersion, or "0"), or nothing
        # and the history after the given one.
        with store.lock:
            if start in ("", "0"):
                cursor = store.revision
                initial = [obj for obj in store.list(kind, namespace) if matches(obj)]
            else:
                cursor, initial = int(start), []
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.status_sent = 200
        first = [True]

        def send(event_type, obj):
            if table and event_type in ("ADDED", "MODIFIED", "DELETED"):
                # Column definitions only in the first event, as upstream saves bandwidth.
                obj = self.table(kind, [obj], obj["metadata"].get("resourceVersion", ""), query, first[0])
                first[0] = False
            data = (json.dumps({"type": event_type, "object": obj}, separators=(",", ":")) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            for obj in initial:
                send("ADDED", obj)
            while time.time() < deadline:
                with store.lock:
                    events = store.events_after(cursor)
                    if events == []:
                        store.changed.wait(min(0.25, max(0.0, deadline - time.time())))
                        events = store.events_after(cursor)
                    compacted = store.compacted
                if events is None:
                    expired = APIError(410, "Expired", f"too old resource version: {cursor} ({compacted})")
                    send("ERROR", expired.status())
                    bookmarks = False
                    break
                for revision, event_type, group, resource, old, new in events:
                    cursor = revision
                    if group != kind.group or resource != kind.resource:
                        continue
                    was, is_ = matches(old), matches(new)
                    if event_type == "ADDED" and is_:
                        send("ADDED", new)
                    elif event_type == "MODIFIED" and was and is_:
                        send("MODIFIED", new)
                    elif event_type == "MODIFIED" and is_:
                        send("ADDED", new)  # came into the selector
                    elif event_type == "MODIFIED" and was:
                        gone = copy.deepcopy(old)  # left the selector: upstream sends DELETED
                        gone["metadata"]["resourceVersion"] = str(revision)
                        send("DELETED", gone)
                    elif event_type == "DELETED" and is_:
                        send("DELETED", new)
                if self.client_left():
                    self.close_connection = True
                    return
            if bookmarks:
                send("BOOKMARK", {"kind": kind.kind, "apiVersion": kind.api_version,
                                  "metadata": {"resourceVersion": str(cursor)}})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True

    def client_left(self):
        """A watching client sends nothing; a readable socket means it closed the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        if isinstance(self.connection, ssl.SSLSocket):
            return True
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except OSError:
            return True

    # metrics.k8s.io

    def metrics(self, kind, namespace, name, query):
        if self.command not in ("GET", "HEAD"):
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        usage = self.server.usage
        if kind.resource == "nodes":
            if name is not None:
                raise wire.not_found("nodes", "metrics.k8s.io", name)
            return self.send_body(200, {"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                                        "metadata": {}, "items": []})
        pods = self.server.registry.find("", "v1", "pods")
        if name is not None:
            pod = self.server.store.get(pods, namespace, name)
            if pod is None:
                raise wire.not_found("pods", "metrics.k8s.io", name)
            return self.send_body(200, usage.pod_metrics(pod))
        items = [usage.pod_metrics(pod) for pod in self.select(pods, namespace, query)]
        return self.send_body(200, {"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                                    "metadata": {}, "items": items})

    # OpenAPI

    def openapi(self, path):
        registry = self.server.registry
        field_validation = not self.server.options.no_field_validation
        if path == "/openapi/v2":
            document = openapi.openapi_v2_document(list(registry.kinds.values()), registry.definitions,
                                                   SERVER_VERSION["gitVersion"], field_validation)
            accept = self.headers.get("Accept") or ""
            if "protobuf" in accept:  # what kubectl asks for, and the only form it can read
                return self.send_body(200, openapi.openapi_v2_protobuf(document),
                                      content_type="application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
            return self.send_body(200, document)
        if path == "/openapi/v3":
            index = {}
            for group, versions in registry.group_versions():
                for version in versions:
                    key = f"api/{version}" if group == "" else f"apis/{group}/{version}"
                    document = self.openapi_v3(group, version)
                    index[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={openapi.document_hash(document)}"}
            return self.send_body(200, {"paths": index})
        parts = path[len("/openapi/v3/"):].split("/")
        if parts[0] == "api" and len(parts) == 2:
            group, version = "", parts[1]
        elif parts[0] == "apis" and len(parts) == 3:
            group, version = parts[1], parts[2]
        else:
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        if not registry.kinds_of(group, version):
            raise APIError(404, "NotFound", "the server could not find the requested resource", {})
        document = self.openapi_v3(group, version)
        return self.send_body(200, document, {"Etag": '"' + openapi.document_hash(document) + '"'})

    def openapi_v3(self, group, version):
        registry = self.server.registry
        return openapi.openapi_v3_document(group, version, registry.kinds_of(group, version), registry.definitions,
                                           SERVER_VERSION["gitVersion"], not self.server.options.no_field_validation)

    # /fixture

    def fixture(self, path, body):
        server = self.server
        method = self.command
        parsed = self.json_body(body) if body else None
        if path == "/fixture/health" and method == "GET":
            return self.send_body(200, {"status": "ok", "resourceVersion": server.store.current()})
        if path == "/fixture/requests" and method == "GET":
            return self.send_body(200, server.log.all())
        if path == "/fixture/reset-requests" and method == "POST":
            server.log.reset()
            return self.send_body(200, {"status": "ok"})
        if path == "/fixture/usage" and method == "POST":
            rule = server.usage.add(parsed or {})
            pods = server.registry.find("", "v1", "pods")
            matched = [pod["metadata"]["name"] for pod in server.store.list(pods, rule["namespace"])
                       if (rule["pod"] is None or pod["metadata"]["name"] == rule["pod"])
                       and (rule["requirements"] is None or wire.selector_matches(rule["requirements"], pod["metadata"].get("labels")))]
            return self.send_body(200, {"status": "ok", "matchedPods": matched})
        if path == "/fixture/faults" and method == "POST":
            return self.send_body(200, server.faults.arm(parsed or {}))
        if path == "/fixture/faults" and method == "DELETE":
            with server.faults.lock:
                server.faults.armed.clear()
            return self.send_body(200, {"status": "ok"})
        if path == "/fixture/compact" and method == "POST":
            server.store.compact()
            return self.send_body(200, {"status": "ok", "compactedResourceVersion": server.store.current()})
        if path == "/fixture/objects" and method == "POST":
            return self.send_body(201, server.put_object(parsed or {}))
        raise APIError(404, "NotFound", f"no fixture control {method} {path}", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    tokens = parser.add_mutually_exclusive_group()
    tokens.add_argument("--token")
    tokens.add_argument("--token-file")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca")
    parser.add_argument("--seed")
    parser.add_argument("--ready-delay-s", type=float, default=0.0)
    parser.add_argument("--no-field-validation", action="store_true",
                        help="act as a server without server-side field validation (before Kubernetes 1.27): "
                             "fieldValidation is not published and is ignored, so kubectl validates on its own "
                             "against /openapi/v2")
    options = parser.parse_args()
    if bool(options.tls_cert) != bool(options.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if options.client_ca and not options.tls_cert:
        parser.error("--client-ca needs --tls-cert and --tls-key")

    server = Server(options)
    server.cluster.start()
    server.bootstrap()
    port = server.server_address[1]
    if options.port_file:
        temporary = options.port_file + ".tmp"
        with open(temporary, "w") as file:
            file.write(f"{port}\n")
        os.replace(temporary, options.port_file)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent's thread may have had them blocked, and a child inherits the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    print(f"listening on {'https' if server.tls else 'http'}://127.0.0.1:{port}", flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()


if __name__ == "__main__":
    main()
