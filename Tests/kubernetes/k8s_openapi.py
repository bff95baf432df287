"""OpenAPI schemas of the kinds the fake API server serves, the /openapi/v2 and /openapi/v3
documents built from them, and the server-side validation that uses the same schemas.

The schemas follow upstream's definitions (names, field names, types, patch strategies) for
the fields a cluster operator or a controller writes. Parts nobody here writes (affinity, the
rarer volume sources, statuses) are open objects (`x-kubernetes-preserve-unknown-fields`),
so they are stored unchecked instead of being refused. Custom resources take the schema of
their CustomResourceDefinition, as on a real cluster.
"""
import copy
import hashlib
import json
import re

# --- schema vocabulary --------------------------------------------------------------------

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
CORE = "io.k8s.api.core.v1."
APPS = "io.k8s.api.apps.v1."
RBAC = "io.k8s.api.rbac.v1."


def ref(name):
    return {"$ref": name}


def string(**extra):
    return {"type": "string", **extra}


def enum(*values):
    return {"type": "string", "enum": list(values)}


INT32 = {"type": "integer", "format": "int32"}
INT64 = {"type": "integer", "format": "int64"}
BOOL = {"type": "boolean"}
TIME = ref(META + "Time")
QUANTITY = ref("io.k8s.apimachinery.pkg.api.resource.Quantity")
INT_OR_STRING = ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString")
OPEN = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def obj(properties=None, required=None, **extra):
    schema = {"type": "object", "properties": properties or {}}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def array(items, **extra):
    return {"type": "array", "items": items, **extra}


def string_map():
    return {"type": "object", "additionalProperties": string()}


def merge_list(items, key):
    """A list that strategic merge patch merges by `key` (upstream's patchMergeKey)."""
    return array(items, **{"x-kubernetes-patch-merge-key": key, "x-kubernetes-patch-strategy": "merge",
                           "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [key]})


def kind_schema(kind_properties, group, version, kind, required=None):
    properties = {"apiVersion": string(), "kind": string(), "metadata": ref(META + "ObjectMeta")}
    properties.update(kind_properties)
    schema = obj(properties, required)
    schema["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind, "version": version}]
    return schema


def list_schema(item, group, version, kind):
    schema = obj({"apiVersion": string(), "kind": string(), "items": array(ref(item)),
                  "metadata": ref(META + "ListMeta")}, ["items"])
    schema["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind + "List", "version": version}]
    return schema

# --- definitions --------------------------------------------------------------------------

D = {}

D["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {"type": "string", "format": "quantity"}
D["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {"type": "string", "format": "int-or-string"}
D[META + "Time"] = {"type": "string", "format": "date-time"}
D[META + "MicroTime"] = {"type": "string", "format": "date-time"}
D[META + "OwnerReference"] = obj({"apiVersion": string(), "blockOwnerDeletion": BOOL, "controller": BOOL,
                                  "kind": string(), "name": string(), "uid": string()},
                                 ["apiVersion", "kind", "name", "uid"], **{"x-kubernetes-map-type": "atomic"})
D[META + "ManagedFieldsEntry"] = obj({"apiVersion": string(), "fieldsType": string(), "fieldsV1": OPEN,
                                      "manager": string(), "operation": string(), "subresource": string(), "time": TIME})
D[META + "ObjectMeta"] = obj({
    "annotations": string_map(), "creationTimestamp": TIME, "deletionGracePeriodSeconds": INT64,
    "deletionTimestamp": TIME, "finalizers": array(string(), **{"x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set"}),
    "generateName": string(), "generation": INT64, "labels": string_map(),
    "managedFields": array(ref(META + "ManagedFieldsEntry"), **{"x-kubernetes-list-type": "atomic"}),
    "name": string(), "namespace": string(),
    "ownerReferences": merge_list(ref(META + "OwnerReference"), "uid"),
    "resourceVersion": string(), "selfLink": string(), "uid": string()})
D[META + "ListMeta"] = obj({"continue": string(), "remainingItemCount": INT64, "resourceVersion": string(), "selfLink": string()})
D[META + "LabelSelectorRequirement"] = obj({"key": string(), "operator": string(), "values": array(string(), **{"x-kubernetes-list-type": "atomic"})},
                                           ["key", "operator"])
D[META + "LabelSelector"] = obj({"matchExpressions": array(ref(META + "LabelSelectorRequirement"), **{"x-kubernetes-list-type": "atomic"}),
                                 "matchLabels": string_map()}, **{"x-kubernetes-map-type": "atomic"})
D[META + "Condition"] = obj({"lastTransitionTime": TIME, "message": string(), "observedGeneration": INT64,
                            "reason": string(), "status": string(), "type": string()},
                           ["type", "status", "lastTransitionTime", "reason", "message"])

# core/v1: the pod template and what hangs off it.
D[CORE + "LocalObjectReference"] = obj({"name": string()}, **{"x-kubernetes-map-type": "atomic"})
D[CORE + "ObjectReference"] = obj({"apiVersion": string(), "fieldPath": string(), "kind": string(), "name": string(),
                                   "namespace": string(), "resourceVersion": string(), "uid": string()},
                                  **{"x-kubernetes-map-type": "atomic"})
D[CORE + "ObjectFieldSelector"] = obj({"apiVersion": string(), "fieldPath": string()}, ["fieldPath"])
D[CORE + "ResourceFieldSelector"] = obj({"containerName": string(), "divisor": QUANTITY, "resource": string()}, ["resource"])
D[CORE + "ConfigMapKeySelector"] = obj({"key": string(), "name": string(), "optional": BOOL}, ["key"])
D[CORE + "SecretKeySelector"] = obj({"key": string(), "name": string(), "optional": BOOL}, ["key"])
D[CORE + "EnvVarSource"] = obj({"configMapKeyRef": ref(CORE + "ConfigMapKeySelector"), "fieldRef": ref(CORE + "ObjectFieldSelector"),
                                "resourceFieldRef": ref(CORE + "ResourceFieldSelector"), "secretKeyRef": ref(CORE + "SecretKeySelector")})
D[CORE + "EnvVar"] = obj({"name": string(), "value": string(), "valueFrom": ref(CORE + "EnvVarSource")}, ["name"])
D[CORE + "EnvFromSource"] = obj({"configMapRef": obj({"name": string(), "optional": BOOL}), "prefix": string(),
                                 "secretRef": obj({"name": string(), "optional": BOOL})})
D[CORE + "ContainerPort"] = obj({"containerPort": INT32, "hostIP": string(), "hostPort": INT32, "name": string(),
                                 "protocol": string()}, ["containerPort"])
D[CORE + "ResourceRequirements"] = obj({"claims": array(obj({"name": string(), "request": string()}, ["name"])),
                                        "limits": {"type": "object", "additionalProperties": QUANTITY},
                                        "requests": {"type": "object", "additionalProperties": QUANTITY}})
D[CORE + "VolumeMount"] = obj({"mountPath": string(), "mountPropagation": string(), "name": string(), "readOnly": BOOL,
                               "recursiveReadOnly": string(), "subPath": string(), "subPathExpr": string()},
                              ["name", "mountPath"])
D[CORE + "HTTPHeader"] = obj({"name": string(), "value": string()}, ["name", "value"])
D[CORE + "Probe"] = obj({
    "exec": obj({"command": array(string())}),
    "failureThreshold": INT32,
    "grpc": obj({"port": INT32, "service": string()}, ["port"]),
    "httpGet": obj({"host": string(), "httpHeaders": array(ref(CORE + "HTTPHeader")), "path": string(),
                    "port": INT_OR_STRING, "scheme": string()}, ["port"]),
    "initialDelaySeconds": INT32, "periodSeconds": INT32, "successThreshold": INT32,
    "tcpSocket": obj({"host": string(), "port": INT_OR_STRING}, ["port"]),
    "terminationGracePeriodSeconds": INT64, "timeoutSeconds": INT32})
D[CORE + "Capabilities"] = obj({"add": array(string()), "drop": array(string())})
D[CORE + "SeccompProfile"] = obj({"localhostProfile": string(), "type": string()}, ["type"])
D[CORE + "AppArmorProfile"] = obj({"localhostProfile": string(), "type": string()}, ["type"])
D[CORE + "SecurityContext"] = obj({
    "allowPrivilegeEscalation": BOOL, "appArmorProfile": ref(CORE + "AppArmorProfile"),
    "capabilities": ref(CORE + "Capabilities"), "privileged": BOOL, "procMount": string(),
    "readOnlyRootFilesystem": BOOL, "runAsGroup": INT64, "runAsNonRoot": BOOL, "runAsUser": INT64,
    "seLinuxOptions": OPEN, "seccompProfile": ref(CORE + "SeccompProfile"), "windowsOptions": OPEN})
D[CORE + "PodSecurityContext"] = obj({
    "appArmorProfile": ref(CORE + "AppArmorProfile"), "fsGroup": INT64, "fsGroupChangePolicy": string(),
    "runAsGroup": INT64, "runAsNonRoot": BOOL, "runAsUser": INT64, "seLinuxChangePolicy": string(),
    "seLinuxOptions": OPEN, "seccompProfile": ref(CORE + "SeccompProfile"),
    "supplementalGroups": array(INT64), "supplementalGroupsPolicy": string(),
    "sysctls": array(obj({"name": string(), "value": string()}, ["name", "value"])), "windowsOptions": OPEN})
D[CORE + "Container"] = obj({
    "args": array(string()), "command": array(string()),
    "env": merge_list(ref(CORE + "EnvVar"), "name"), "envFrom": array(ref(CORE + "EnvFromSource")),
    "image": string(), "imagePullPolicy": enum("Always", "IfNotPresent", "Never"),
    "lifecycle": OPEN, "livenessProbe": ref(CORE + "Probe"), "name": string(),
    "ports": array(ref(CORE + "ContainerPort"), **{"x-kubernetes-patch-merge-key": "containerPort",
                                                    "x-kubernetes-patch-strategy": "merge",
                                                    "x-kubernetes-list-type": "map",
                                                    "x-kubernetes-list-map-keys": ["containerPort", "protocol"]}),
    "readinessProbe": ref(CORE + "Probe"),
    "resizePolicy": array(obj({"resourceName": string(), "restartPolicy": string()}, ["resourceName", "restartPolicy"])),
    "resources": ref(CORE + "ResourceRequirements"), "restartPolicy": string(),
    "securityContext": ref(CORE + "SecurityContext"), "startupProbe": ref(CORE + "Probe"),
    "stdin": BOOL, "stdinOnce": BOOL, "terminationMessagePath": string(),
    "terminationMessagePolicy": enum("FallbackToLogsOnError", "File"), "tty": BOOL,
    "volumeDevices": merge_list(obj({"devicePath": string(), "name": string()}, ["name", "devicePath"]), "devicePath"),
    "volumeMounts": merge_list(ref(CORE + "VolumeMount"), "mountPath"), "workingDir": string()}, ["name"])
VOLUME_SOURCES = ["awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "downwardAPI",
                  "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath",
                  "image", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd",
                  "scaleIO", "storageos", "vsphereVolume"]
D[CORE + "KeyToPath"] = obj({"key": string(), "mode": INT32, "path": string()}, ["key", "path"])
D[CORE + "Volume"] = obj(dict({source: OPEN for source in VOLUME_SOURCES}, **{
    "name": string(),
    "configMap": obj({"defaultMode": INT32, "items": array(ref(CORE + "KeyToPath")), "name": string(), "optional": BOOL}),
    "emptyDir": obj({"medium": string(), "sizeLimit": QUANTITY}),
    "persistentVolumeClaim": obj({"claimName": string(), "readOnly": BOOL}, ["claimName"]),
    "secret": obj({"defaultMode": INT32, "items": array(ref(CORE + "KeyToPath")), "optional": BOOL, "secretName": string()})}),
    ["name"])
D[CORE + "Toleration"] = obj({"effect": string(), "key": string(), "operator": string(), "tolerationSeconds": INT64, "value": string()})
D[CORE + "PodSpec"] = obj({
    "activeDeadlineSeconds": INT64, "affinity": OPEN, "automountServiceAccountToken": BOOL,
    "containers": merge_list(ref(CORE + "Container"), "name"), "dnsConfig": OPEN,
    "dnsPolicy": enum("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
    "enableServiceLinks": BOOL, "ephemeralContainers": merge_list(OPEN, "name"),
    "hostAliases": merge_list(obj({"hostnames": array(string()), "ip": string()}, ["ip"]), "ip"),
    "hostIPC": BOOL, "hostNetwork": BOOL, "hostPID": BOOL, "hostUsers": BOOL, "hostname": string(),
    "imagePullSecrets": merge_list(ref(CORE + "LocalObjectReference"), "name"),
    "initContainers": merge_list(ref(CORE + "Container"), "name"), "nodeName": string(),
    "nodeSelector": string_map(), "os": obj({"name": string()}, ["name"]),
    "overhead": {"type": "object", "additionalProperties": QUANTITY}, "preemptionPolicy": string(),
    "priority": INT32, "priorityClassName": string(),
    "readinessGates": array(obj({"conditionType": string()}, ["conditionType"])),
    "resourceClaims": merge_list(OPEN, "name"), "resources": ref(CORE + "ResourceRequirements"),
    "restartPolicy": enum("Always", "Never", "OnFailure"), "runtimeClassName": string(),
    "schedulerName": string(), "schedulingGates": merge_list(obj({"name": string()}, ["name"]), "name"),
    "securityContext": ref(CORE + "PodSecurityContext"), "serviceAccount": string(),
    "serviceAccountName": string(), "setHostnameAsFQDN": BOOL, "shareProcessNamespace": BOOL,
    "subdomain": string(), "terminationGracePeriodSeconds": INT64,
    "tolerations": array(ref(CORE + "Toleration"), **{"x-kubernetes-list-type": "atomic"}),
    "topologySpreadConstraints": merge_list(OPEN, "topologyKey"),
    "volumes": merge_list(ref(CORE + "Volume"), "name")}, ["containers"])
D[CORE + "PodTemplateSpec"] = obj({"metadata": ref(META + "ObjectMeta"), "spec": ref(CORE + "PodSpec")})
D[CORE + "Pod"] = kind_schema({"spec": ref(CORE + "PodSpec"), "status": OPEN}, "", "v1", "Pod")
D[CORE + "Namespace"] = kind_schema({"spec": obj({"finalizers": array(string())}), "status": OPEN}, "", "v1", "Namespace")
D[CORE + "ServiceAccount"] = kind_schema({"automountServiceAccountToken": BOOL,
                                          "imagePullSecrets": array(ref(CORE + "LocalObjectReference")),
                                          "secrets": merge_list(ref(CORE + "ObjectReference"), "name")},
                                         "", "v1", "ServiceAccount")
D[CORE + "ConfigMap"] = kind_schema({"binaryData": {"type": "object", "additionalProperties": string(format="byte")},
                                     "data": string_map(), "immutable": BOOL}, "", "v1", "ConfigMap")
D[CORE + "Secret"] = kind_schema({"data": {"type": "object", "additionalProperties": string(format="byte")},
                                  "immutable": BOOL, "stringData": string_map(), "type": string()}, "", "v1", "Secret")
D[CORE + "ServicePort"] = obj({"appProtocol": string(), "name": string(), "nodePort": INT32, "port": INT32,
                               "protocol": enum("SCTP", "TCP", "UDP"), "targetPort": INT_OR_STRING}, ["port"])
D[CORE + "ServiceSpec"] = obj({
    "allocateLoadBalancerNodePorts": BOOL, "clusterIP": string(), "clusterIPs": array(string()),
    "externalIPs": array(string()), "externalName": string(), "externalTrafficPolicy": string(),
    "healthCheckNodePort": INT32, "internalTrafficPolicy": string(), "ipFamilies": array(string()),
    "ipFamilyPolicy": string(), "loadBalancerClass": string(), "loadBalancerIP": string(),
    "loadBalancerSourceRanges": array(string()),
    "ports": array(ref(CORE + "ServicePort"), **{"x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge",
                                                  "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"]}),
    "publishNotReadyAddresses": BOOL, "selector": string_map(), "sessionAffinity": enum("ClientIP", "None"),
    "sessionAffinityConfig": OPEN, "trafficDistribution": string(),
    "type": enum("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")})
D[CORE + "Service"] = kind_schema({"spec": ref(CORE + "ServiceSpec"), "status": OPEN}, "", "v1", "Service")
D[CORE + "Event"] = kind_schema({
    "action": string(), "count": INT32, "eventTime": ref(META + "MicroTime"), "firstTimestamp": TIME,
    "involvedObject": ref(CORE + "ObjectReference"), "lastTimestamp": TIME, "message": string(), "reason": string(),
    "related": ref(CORE + "ObjectReference"), "reportingComponent": string(), "reportingInstance": string(),
    "series": obj({"count": INT32, "lastObservedTime": ref(META + "MicroTime")}),
    "source": obj({"component": string(), "host": string()}), "type": string()},
    "", "v1", "Event", ["metadata", "involvedObject"])

# apps/v1
D[APPS + "DeploymentSpec"] = obj({
    "minReadySeconds": INT32, "paused": BOOL, "progressDeadlineSeconds": INT32, "replicas": INT32,
    "revisionHistoryLimit": INT32, "selector": ref(META + "LabelSelector"),
    "strategy": obj({"rollingUpdate": obj({"maxSurge": INT_OR_STRING, "maxUnavailable": INT_OR_STRING}),
                     "type": enum("Recreate", "RollingUpdate")}),
    "template": ref(CORE + "PodTemplateSpec")}, ["selector", "template"])
D[APPS + "Deployment"] = kind_schema({"spec": ref(APPS + "DeploymentSpec"), "status": OPEN}, "apps", "v1", "Deployment")
D[APPS + "StatefulSetSpec"] = obj({
    "minReadySeconds": INT32, "ordinals": obj({"start": INT32}),
    "persistentVolumeClaimRetentionPolicy": obj({"whenDeleted": string(), "whenScaled": string()}),
    "podManagementPolicy": enum("OrderedReady", "Parallel"), "replicas": INT32, "revisionHistoryLimit": INT32,
    "selector": ref(META + "LabelSelector"), "serviceName": string(), "template": ref(CORE + "PodTemplateSpec"),
    "updateStrategy": obj({"rollingUpdate": obj({"maxUnavailable": INT_OR_STRING, "partition": INT32}),
                           "type": enum("OnDelete", "RollingUpdate")}),
    "volumeClaimTemplates": array(OPEN, **{"x-kubernetes-list-type": "atomic"})}, ["selector", "template"])
D[APPS + "StatefulSet"] = kind_schema({"spec": ref(APPS + "StatefulSetSpec"), "status": OPEN}, "apps", "v1", "StatefulSet")
D[APPS + "ReplicaSetSpec"] = obj({"minReadySeconds": INT32, "replicas": INT32, "selector": ref(META + "LabelSelector"),
                                  "template": ref(CORE + "PodTemplateSpec")}, ["selector"])
D[APPS + "ReplicaSet"] = kind_schema({"spec": ref(APPS + "ReplicaSetSpec"), "status": OPEN}, "apps", "v1", "ReplicaSet")
D["io.k8s.api.autoscaling.v1.Scale"] = kind_schema({"spec": obj({"replicas": INT32}),
                                                    "status": obj({"replicas": INT32, "selector": string()}, ["replicas"])},
                                                   "autoscaling", "v1", "Scale")

# coordination.k8s.io/v1, rbac.authorization.k8s.io/v1, policy/v1, autoscaling/v2
D["io.k8s.api.coordination.v1.Lease"] = kind_schema({"spec": obj({
    "acquireTime": ref(META + "MicroTime"), "holderIdentity": string(), "leaseDurationSeconds": INT32,
    "leaseTransitions": INT32, "preferredHolder": string(), "renewTime": ref(META + "MicroTime"), "strategy": string()})},
    "coordination.k8s.io", "v1", "Lease")
D[RBAC + "PolicyRule"] = obj({"apiGroups": array(string()), "nonResourceURLs": array(string()),
                              "resourceNames": array(string()), "resources": array(string()), "verbs": array(string())},
                             ["verbs"])
D[RBAC + "Subject"] = obj({"apiGroup": string(), "kind": string(), "name": string(), "namespace": string()}, ["kind", "name"])
D[RBAC + "RoleRef"] = obj({"apiGroup": string(), "kind": string(), "name": string()}, ["apiGroup", "kind", "name"])
D[RBAC + "Role"] = kind_schema({"rules": array(ref(RBAC + "PolicyRule"))}, "rbac.authorization.k8s.io", "v1", "Role")
D[RBAC + "ClusterRole"] = kind_schema({"aggregationRule": obj({"clusterRoleSelectors": array(ref(META + "LabelSelector"))}),
                                       "rules": array(ref(RBAC + "PolicyRule"))},
                                      "rbac.authorization.k8s.io", "v1", "ClusterRole")
D[RBAC + "RoleBinding"] = kind_schema({"roleRef": ref(RBAC + "RoleRef"), "subjects": array(ref(RBAC + "Subject"))},
                                      "rbac.authorization.k8s.io", "v1", "RoleBinding", ["roleRef"])
D[RBAC + "ClusterRoleBinding"] = kind_schema({"roleRef": ref(RBAC + "RoleRef"), "subjects": array(ref(RBAC + "Subject"))},
                                             "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", ["roleRef"])
D["io.k8s.api.policy.v1.PodDisruptionBudget"] = kind_schema({"spec": obj({
    "maxUnavailable": INT_OR_STRING, "minAvailable": INT_OR_STRING, "selector": ref(META + "LabelSelector"),
    "unhealthyPodEvictionPolicy": string()}), "status": OPEN}, "policy", "v1", "PodDisruptionBudget")
D["io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"] = kind_schema({"spec": OPEN, "status": OPEN},
                                                                      "autoscaling", "v2", "HorizontalPodAutoscaler")

# metrics.k8s.io/v1beta1 (metrics-server's aggregated API)
D["io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics"] = obj(
    {"name": string(), "usage": {"type": "object", "additionalProperties": QUANTITY}}, ["name", "usage"])
D["io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics"] = kind_schema({
    "containers": array(ref("io.k8s.metrics.pkg.apis.metrics.v1beta1.ContainerMetrics")), "timestamp": TIME,
    "window": string()}, "metrics.k8s.io", "v1beta1", "PodMetrics", ["timestamp", "window", "containers"])
D["io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics"] = kind_schema({
    "timestamp": TIME, "usage": {"type": "object", "additionalProperties": QUANTITY}, "window": string()},
    "metrics.k8s.io", "v1beta1", "NodeMetrics", ["timestamp", "window", "usage"])

# apiextensions.k8s.io/v1: the CRD, whose openAPIV3Schema is itself checked as a JSON schema.
EXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
JSON_ANY = {"x-kubernetes-preserve-unknown-fields": True}
D[EXT + "JSONSchemaProps"] = obj({
    "$ref": string(), "$schema": string(), "additionalItems": {"x-fixture-bool-or": ref(EXT + "JSONSchemaProps")},
    "additionalProperties": {"x-fixture-bool-or": ref(EXT + "JSONSchemaProps")},
    "allOf": array(ref(EXT + "JSONSchemaProps")), "anyOf": array(ref(EXT + "JSONSchemaProps")), "default": JSON_ANY,
    "definitions": {"type": "object", "additionalProperties": ref(EXT + "JSONSchemaProps")},
    "dependencies": {"type": "object", "additionalProperties": JSON_ANY}, "description": string(),
    "enum": array(JSON_ANY), "example": JSON_ANY, "exclusiveMaximum": BOOL, "exclusiveMinimum": BOOL,
    "externalDocs": obj({"description": string(), "url": string()}), "format": string(), "id": string(),
    "items": ref(EXT + "JSONSchemaProps"), "maxItems": INT64, "maxLength": INT64, "maxProperties": INT64, "maximum": {"type": "number"},
    "minItems": INT64, "minLength": INT64, "minProperties": INT64, "minimum": {"type": "number"},
    "multipleOf": {"type": "number"}, "not": ref(EXT + "JSONSchemaProps"), "nullable": BOOL,
    "oneOf": array(ref(EXT + "JSONSchemaProps")), "pattern": string(),
    "patternProperties": {"type": "object", "additionalProperties": ref(EXT + "JSONSchemaProps")},
    "properties": {"type": "object", "additionalProperties": ref(EXT + "JSONSchemaProps")},
    "required": array(string()), "title": string(), "type": string(), "uniqueItems": BOOL,
    "x-kubernetes-embedded-resource": BOOL, "x-kubernetes-int-or-string": BOOL,
    "x-kubernetes-list-map-keys": array(string()), "x-kubernetes-list-type": string(), "x-kubernetes-map-type": string(),
    "x-kubernetes-preserve-unknown-fields": BOOL,
    "x-kubernetes-validations": array(obj({"fieldPath": string(), "message": string(), "messageExpression": string(),
                                           "optionalOldSelf": BOOL, "reason": string(), "rule": string()}, ["rule"]))})
D[EXT + "CustomResourceDefinitionNames"] = obj({"categories": array(string()), "kind": string(), "listKind": string(),
                                                "plural": string(), "shortNames": array(string()), "singular": string()},
                                               ["plural", "kind"])
D[EXT + "CustomResourceColumnDefinition"] = obj({"description": string(), "format": string(), "jsonPath": string(),
                                                 "name": string(), "priority": INT32, "type": string()},
                                                ["name", "type", "jsonPath"])
D[EXT + "CustomResourceDefinitionVersion"] = obj({
    "additionalPrinterColumns": array(ref(EXT + "CustomResourceColumnDefinition")), "deprecated": BOOL,
    "deprecationWarning": string(), "name": string(),
    "schema": obj({"openAPIV3Schema": ref(EXT + "JSONSchemaProps")}),
    "selectableFields": array(obj({"jsonPath": string()}, ["jsonPath"])), "served": BOOL, "storage": BOOL,
    "subresources": obj({"scale": obj({"labelSelectorPath": string(), "specReplicasPath": string(),
                                       "statusReplicasPath": string()}, ["specReplicasPath", "statusReplicasPath"]),
                         "status": {"type": "object"}})},
    ["name", "served", "storage"])
D[EXT + "CustomResourceDefinition"] = kind_schema({"spec": obj({
    "conversion": obj({"strategy": string(), "webhook": OPEN}, ["strategy"]), "group": string(),
    "names": ref(EXT + "CustomResourceDefinitionNames"), "preserveUnknownFields": BOOL, "scope": string(),
    "versions": array(ref(EXT + "CustomResourceDefinitionVersion"))}, ["group", "names", "scope", "versions"]),
    "status": OPEN}, "apiextensions.k8s.io", "v1", "CustomResourceDefinition", ["spec"])

BUILTIN_DEFINITIONS = D


def crd_definition_name(group, version, kind):
    """Upstream's name for a custom resource's schema: the group reversed, `dev.tidepool.v1alpha1.Kind`."""
    return ".".join(reversed(group.split("."))) + f".{version}.{kind}"


def crd_served_schema(group, version, kind, open_api_v3_schema):
    """The schema a CRD's version is published and checked with: its openAPIV3Schema, with
    apiVersion, kind and metadata as upstream adds them."""
    schema = copy.deepcopy(open_api_v3_schema) if open_api_v3_schema else {"type": "object",
                                                                           "x-kubernetes-preserve-unknown-fields": True}
    schema.setdefault("type", "object")
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = string()
    properties["kind"] = string()
    properties["metadata"] = ref(META + "ObjectMeta")
    schema["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind, "version": version}]
    return schema

# --- documents ----------------------------------------------------------------------------

def _rewrite_refs(node, prefix):
    if isinstance(node, dict):
        return {key: (prefix + value if key == "$ref" and isinstance(value, str) and not value.startswith("#") else _rewrite_refs(value, prefix))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def _referenced(names, definitions):
    """The definitions `names` need, closed over $ref."""
    seen, pending = set(), list(names)
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)

        def collect(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "$ref" and isinstance(value, str):
                        pending.append(value)
                    else:
                        collect(value)
            elif isinstance(node, list):
                for item in node:
                    collect(item)
        collect(definitions[name])
    return seen


QUERY_PARAMETERS = {
    "dryRun": "When present, indicates that modifications should not be persisted.",
    "fieldManager": "fieldManager is a name associated with the actor or entity that is making these changes.",
    "fieldValidation": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) "
                       "containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
}
PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json"]


def _operation(verb, kind_gvk, schema_ref, action, with_body=False, patch=False, params=()):
    operation = {"operationId": f"{verb}{kind_gvk['kind']}", "tags": [kind_gvk["group"] or "core_v1"],
                 "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}},
                               "401": {"description": "Unauthorized"}},
                 "x-kubernetes-action": action, "x-kubernetes-group-version-kind": kind_gvk}
    if params:
        operation["parameters"] = [{"name": name, "in": "query", "description": QUERY_PARAMETERS[name],
                                    "schema": {"type": "string", "uniqueItems": True}} for name in params]
    if with_body:
        content_types = PATCH_TYPES if patch else ["*/*"]
        body_schema = {"type": "object"} if patch else {"$ref": schema_ref}
        operation["requestBody"] = {"content": {content_type: {"schema": body_schema} for content_type in content_types},
                                    "required": True}
    return operation


def openapi_v3_document(group, version, kinds, definitions, server_version, field_validation=True):
    """One group-version's OpenAPI v3 document, as /openapi/v3/apis/<group>/<version> serves it:
    its paths (each PATCH with the fieldValidation parameter and the operation's GVK, which is
    how kubectl decides the server validates fields; without `field_validation`, as servers
    before 1.27 publish them) and the schemas they reference."""
    base = f"/api/{version}" if group == "" else f"/apis/{group}/{version}"
    paths = {}
    for kind in kinds:
        gvk = {"group": group, "kind": kind.kind, "version": version}
        schema_ref = "#/components/schemas/" + kind.definition
        scope = f"{base}/namespaces/{{namespace}}/{kind.resource}" if kind.namespaced else f"{base}/{kind.resource}"
        writes = ("dryRun", "fieldManager", "fieldValidation") if field_validation else ("dryRun", "fieldManager")
        collection = {"get": _operation("list", gvk, schema_ref, "list")}
        item = {"get": _operation("read", gvk, schema_ref, "get")}
        if "create" in kind.verbs:
            collection["post"] = _operation("create", gvk, schema_ref, "post", with_body=True, params=writes)
            item["put"] = _operation("replace", gvk, schema_ref, "put", with_body=True, params=writes)
            item["patch"] = _operation("patch", gvk, schema_ref, "patch", with_body=True, patch=True, params=writes)
            item["delete"] = _operation("delete", gvk, schema_ref, "delete", params=("dryRun",))
        name_parameter = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
        item["parameters"] = [name_parameter]
        paths[scope] = collection
        paths[scope + "/{name}"] = item
        for sub in kind.subresources:
            sub_gvk = {"group": "autoscaling", "kind": "Scale", "version": "v1"} if sub == "scale" else gvk
            sub_ref = "#/components/schemas/io.k8s.api.autoscaling.v1.Scale" if sub == "scale" else schema_ref
            paths[f"{scope}/{{name}}/{sub}"] = {
                "get": _operation("read", sub_gvk, sub_ref, "get"),
                "put": _operation("replace", sub_gvk, sub_ref, "put", with_body=True, params=writes),
                "patch": _operation("patch", sub_gvk, sub_ref, "patch", with_body=True, patch=True, params=writes),
                "parameters": [name_parameter]}
    needed = _referenced([kind.definition for kind in kinds] +
                         (["io.k8s.api.autoscaling.v1.Scale"] if any("scale" in kind.subresources for kind in kinds) else []),
                         definitions)
    schemas = {name: _rewrite_refs(definitions[name], "#/components/schemas/") for name in sorted(needed)}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": server_version},
            "paths": paths, "components": {"schemas": schemas}}


def openapi_v2_document(kinds, definitions, server_version, field_validation=True):
    """The Swagger 2.0 document of /openapi/v2 (all groups in one), in JSON."""
    paths = {}
    for kind in kinds:
        v3 = openapi_v3_document(kind.group, kind.version, [kind], definitions, server_version, field_validation)
        for path, item in v3["paths"].items():
            converted = {}
            for verb, operation in item.items():
                if verb == "parameters":
                    converted[verb] = [{"name": p["name"], "in": p["in"], "required": p.get("required", False), "type": "string"}
                                       for p in operation]
                    continue
                v2 = {key: value for key, value in operation.items() if key not in ("requestBody", "responses", "parameters")}
                v2["parameters"] = [{"name": p["name"], "in": "query", "type": "string", "uniqueItems": True,
                                     "description": p["description"]} for p in operation.get("parameters", [])]
                if "requestBody" in operation:
                    v2["consumes"] = list(operation["requestBody"]["content"].keys())
                    v2["parameters"].append({"name": "body", "in": "body", "required": True,
                                             "schema": {"$ref": "#/definitions/" + kind.definition} if verb != "patch"
                                             else {"type": "object"}})
                v2["produces"] = ["application/json"]
                v2["responses"] = {"200": {"description": "OK", "schema": {"$ref": "#/definitions/" + (
                    "io.k8s.api.autoscaling.v1.Scale" if path.endswith("/scale") else kind.definition)}}}
                converted[verb] = v2
            paths[path] = converted
    schemas = {name: _v2_schema(_rewrite_refs(schema, "#/definitions/")) for name, schema in sorted(definitions.items())}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": server_version}, "paths": paths,
            "definitions": schemas}


def _v2_schema(node):
    """A schema as Swagger 2.0 can say it, the way upstream publishes CRD schemas in /openapi/v2:
    no oneOf/anyOf/not/nullable, and a subtree that keeps unknown fields becomes an arbitrary
    value (kubectl's client-side validation would otherwise call its fields unknown)."""
    if not isinstance(node, dict):
        return node
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return {key: value for key, value in node.items() if key in ("description", "x-kubernetes-group-version-kind")}
    converted = {}
    for key, value in node.items():
        if key in ("oneOf", "anyOf", "not", "nullable"):
            continue
        if key == "properties":
            converted[key] = {name: _v2_schema(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties", "x-fixture-bool-or") and isinstance(value, dict):
            converted[key] = _v2_schema(value)
        elif key == "allOf":
            converted[key] = [_v2_schema(child) for child in value]
        else:
            converted[key] = value
    return converted


def document_hash(document):
    """The `hash` query of /openapi/v3 entries: changes whenever the document does, so clients'
    caches (kubectl keeps them on disk) never serve an old schema."""
    return hashlib.sha512(json.dumps(document, sort_keys=True).encode()).hexdigest()[:128].upper()

# --- validation ---------------------------------------------------------------------------

QUANTITY_PATTERN = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")


class Problems:
    """What checking one object found, by kind of problem, each with its field path."""

    def __init__(self):
        self.unknown = []    # fields the schema does not declare (strict decoding)
        self.types = []      # (path, expected, got, go type) a value of the wrong JSON type
        self.required = []   # missing required fields
        self.invalid = []    # (path, message) values outside enum/minimum/maximum/pattern/oneOf

    def __bool__(self):
        return bool(self.unknown or self.types or self.required or self.invalid)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_value(value):
    """How upstream's field errors print a bad value: strings quoted, numbers bare."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)


def validate(value, schema, definitions, problems=None, path="", strict_nulls=False):
    """Checks `value` against `schema` (with $refs into `definitions`). `strict_nulls` is for
    custom resources: a null where the schema is not nullable is an error, as in upstream's
    structural schema validation; typed built-ins read null as 'not set'."""
    problems = problems if problems is not None else Problems()
    while "$ref" in schema:
        schema = definitions[schema["$ref"]]
    if "x-fixture-bool-or" in schema:  # JSONSchemaPropsOrBool: true, false or a schema
        if isinstance(value, bool):
            return problems
        return validate(value, schema["x-fixture-bool-or"], definitions, problems, path, strict_nulls)
    if value is None:
        if strict_nulls and not schema.get("nullable") and schema.get("type"):
            problems.types.append((path, schema.get("type"), "null"))
        return problems
    if schema.get("x-kubernetes-int-or-string") or schema.get("format") == "int-or-string":
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            problems.types.append((path, "integer or string", _json_type(value)))
        elif isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body should match '{schema['pattern']}'"))
        return problems
    if schema.get("format") == "quantity":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.types.append((path, "quantity", _json_type(value)))
        elif isinstance(value, str) and not QUANTITY_PATTERN.match(value):
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: quantities must match the regular "
                                           "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
        return problems
    expected = schema.get("type")
    actual = _json_type(value)
    if expected and not (actual == expected or (expected == "number" and actual == "integer")):
        problems.types.append((path, expected, actual))
        return problems
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_go_value(option) for option in schema["enum"])
        problems.invalid.append((path, f"Unsupported value: {_go_value(value)}: supported values: {supported}"))
    if actual in ("integer", "number"):
        if "minimum" in schema and (value < schema["minimum"] or (schema.get("exclusiveMinimum") and value == schema["minimum"])):
            relation = "greater than" if schema.get("exclusiveMinimum") else "greater than or equal to"
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body should be {relation} {schema['minimum']}"))
        if "maximum" in schema and (value > schema["maximum"] or (schema.get("exclusiveMaximum") and value == schema["maximum"])):
            relation = "less than" if schema.get("exclusiveMaximum") else "less than or equal to"
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body should be {relation} {schema['maximum']}"))
        if schema.get("format") == "int32" and not -2**31 <= value < 2**31:
            problems.types.append((path, "int32", "integer out of range"))
    if actual == "string":
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body should match '{schema['pattern']}'"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.invalid.append((path, f"Too long: may not be more than {schema['maxLength']} bytes"))
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body should be at least {schema['minLength']} chars long"))
        if schema.get("format") == "date-time" and strict_nulls and not re.match(
                r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", value):
            problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path} in body must be of type date-time: {_go_value(value)}"))
    if actual == "array":
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.invalid.append((path, f"Too many: {len(value)}: must have at most {schema['maxItems']} items"))
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.invalid.append((path, f"Invalid value: {len(value)}: {path} in body should have at least {schema['minItems']} items"))
        for index, item in enumerate(value):
            validate(item, schema.get("items", {}), definitions, problems, f"{path}[{index}]", strict_nulls)
    if actual == "object":
        properties = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        open_ = schema.get("x-kubernetes-preserve-unknown-fields") or additional is True or (
            expected is None and not properties and additional is None)
        embedded = schema.get("x-kubernetes-embedded-resource")
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if key in properties:
                validate(item, properties[key], definitions, problems, child, strict_nulls)
            elif isinstance(additional, dict):
                validate(item, additional, definitions, problems, child, strict_nulls)
            elif embedded and key in ("apiVersion", "kind", "metadata"):
                continue
            elif not open_:
                problems.unknown.append(child)
        for key in schema.get("required") or []:
            if key not in value:
                problems.required.append(f"{path}.{key}" if path else key)
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            problems.invalid.append((path, f"Too many: {len(value)}: must have at most {schema['maxProperties']} items"))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            problems.invalid.append((path, f"Invalid value: {len(value)}: {path} in body should have at least {schema['minProperties']} properties"))
    # Value validations of structural schemas: they check, they add no structure.
    for keyword in ("oneOf", "anyOf", "allOf"):
        if keyword in schema:
            passing = 0
            for option in schema[keyword]:
                trial = Problems()
                validate(value, option, definitions, trial, path, strict_nulls)
                passing += 0 if (trial.required or trial.invalid or trial.types) else 1
            if keyword == "oneOf" and passing != 1:
                problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path or '<root>'} in body must "
                                               f"match exactly one schema in oneOf"))
            if keyword == "anyOf" and passing == 0:
                problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path or '<root>'} in body must "
                                               f"match at least one schema in anyOf"))
            if keyword == "allOf" and passing != len(schema[keyword]):
                problems.invalid.append((path, f"Invalid value: {_go_value(value)}: {path or '<root>'} in body must "
                                               f"match all schemas in allOf"))
    return problems


def apply_defaults(value, schema, definitions):
    """Structural defaulting of custom resources: a missing property with a `default` gets it."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = definitions[schema["$ref"]]
    if isinstance(value, dict):
        for key, child in (schema.get("properties") or {}).items():
            resolved = child
            while isinstance(resolved, dict) and "$ref" in resolved:
                resolved = definitions[resolved["$ref"]]
            if key not in value and "default" in resolved:
                value[key] = copy.deepcopy(resolved["default"])
            if key in value:
                apply_defaults(value[key], child, definitions)
        if isinstance(schema.get("additionalProperties"), dict):
            for key in value:
                if key not in (schema.get("properties") or {}):
                    apply_defaults(value[key], schema["additionalProperties"], definitions)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            apply_defaults(item, schema["items"], definitions)
    return value


def prune(value, schema, definitions):
    """Drops the fields `schema` does not declare, as typed decoding (built-in kinds) and
    pruning (custom resources) do when the write is not strict."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = definitions[schema["$ref"]]
    if not isinstance(schema, dict):
        return value
    if "x-fixture-bool-or" in schema:
        return value if isinstance(value, bool) else prune(value, schema["x-fixture-bool-or"], definitions)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(item, schema["items"], definitions) for item in value]
    if not isinstance(value, dict) or schema.get("x-kubernetes-preserve-unknown-fields"):
        return value
    properties = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    if additional is True or (schema.get("type") is None and not properties and additional is None):
        return value
    pruned = {}
    for key, item in value.items():
        if key in properties:
            pruned[key] = prune(item, properties[key], definitions)
        elif isinstance(additional, dict):
            pruned[key] = prune(item, additional, definitions)
        elif schema.get("x-kubernetes-embedded-resource") and key in ("apiVersion", "kind", "metadata"):
            pruned[key] = item
    return pruned

# --- /openapi/v2 as protocol buffers ------------------------------------------------------
# kubectl reads /openapi/v2 only as a gnostic openapi_v2.Document in protobuf (it unmarshals
# the body whatever its Content-Type), and only when a kind's OpenAPI v3 PATCH operation lacks
# the fieldValidation parameter: then it validates client-side against these definitions.
# Field numbers from github.com/google/gnostic openapiv2/OpenAPIv2.proto.

def _varint(number):
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number, wire_type):
    return _varint(number << 3 | wire_type)


def _bytes(number, payload):
    return _field(number, 2) + _varint(len(payload)) + payload


def _string(number, text):
    return _bytes(number, text.encode())


def _bool(number, flag):
    return _field(number, 0) + _varint(1) if flag else b""


def _double(number, value):
    import struct
    return _field(number, 1) + struct.pack("<d", float(value))


def _int(number, value):
    return _field(number, 0) + _varint(int(value))


def _any(value):
    """openapi_v2.Any: the value as YAML text (JSON is YAML)."""
    return _string(2, json.dumps(value))


def _vendor_extensions(number, node):
    return b"".join(_bytes(number, _string(1, key) + _bytes(2, _any(value)))
                    for key, value in sorted(node.items()) if key.startswith("x-") and key != "x-fixture-bool-or")


def _schema(node):
    if "x-fixture-bool-or" in node:
        return b""  # schema-or-boolean: published as an arbitrary value
    out = b""
    if "$ref" in node:
        out += _string(1, node["$ref"])
    for number, key in ((2, "format"), (3, "title"), (4, "description"), (13, "pattern")):
        if key in node:
            out += _string(number, node[key])
    if "default" in node:
        out += _bytes(5, _any(node["default"]))
    for number, key in ((6, "multipleOf"), (7, "maximum"), (9, "minimum")):
        if key in node:
            out += _double(number, node[key])
    out += _bool(8, node.get("exclusiveMaximum")) + _bool(10, node.get("exclusiveMinimum"))
    for number, key in ((11, "maxLength"), (12, "minLength"), (14, "maxItems"), (15, "minItems"),
                        (17, "maxProperties"), (18, "minProperties")):
        if key in node:
            out += _int(number, node[key])
    out += _bool(16, node.get("uniqueItems"))
    out += b"".join(_string(19, name) for name in node.get("required") or [])
    out += b"".join(_bytes(20, _any(value)) for value in node.get("enum") or [])
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        out += _bytes(21, _bytes(1, _schema(additional)))
    elif isinstance(additional, bool):
        out += _bytes(21, _bool(2, additional) or _field(2, 0) + _varint(0))
    if "type" in node:
        out += _bytes(22, _string(1, node["type"]))
    if isinstance(node.get("items"), dict):
        out += _bytes(23, _bytes(1, _schema(node["items"])))
    out += b"".join(_bytes(24, _schema(part)) for part in node.get("allOf") or [])
    if node.get("properties"):
        out += _bytes(25, b"".join(_bytes(1, _string(1, name) + _bytes(2, _schema(child)))
                                   for name, child in node["properties"].items()))
    return out + _vendor_extensions(31, node)


def _pb_parameter(parameter):
    if parameter.get("in") == "body":
        body = (_string(1, parameter.get("description", "")) + _string(2, parameter["name"]) + _string(3, "body")
                + _bool(4, parameter.get("required")) + _bytes(5, _schema(parameter.get("schema") or {})))
        return _bytes(1, _bytes(1, body))
    sub = (_bool(1, parameter.get("required")) + _string(2, parameter["in"]) + _string(3, parameter.get("description", ""))
           + _string(4, parameter["name"]))
    if parameter["in"] == "path":
        return _bytes(1, _bytes(2, _bytes(4, sub + _string(5, parameter.get("type", "string")))))
    sub += _string(6, parameter.get("type", "string")) + _bool(20, parameter.get("uniqueItems"))
    return _bytes(1, _bytes(2, _bytes(3, sub)))


def _pb_operation(operation):
    out = b"".join(_string(1, tag) for tag in operation.get("tags") or [])
    out += _string(5, operation.get("operationId", ""))
    out += b"".join(_string(6, media) for media in operation.get("produces") or [])
    out += b"".join(_string(7, media) for media in operation.get("consumes") or [])
    out += b"".join(_bytes(8, _pb_parameter(parameter)) for parameter in operation.get("parameters") or [])
    responses = b"".join(_bytes(1, _string(1, code) + _bytes(2, _bytes(1, _string(1, response.get("description", ""))
                                                                      + (_bytes(2, _bytes(1, _schema(response["schema"])))
                                                                         if "schema" in response else b""))))
                         for code, response in operation.get("responses", {}).items())
    out += _bytes(9, responses)
    return out + _vendor_extensions(13, operation)


def openapi_v2_protobuf(document):
    """The Swagger 2.0 `document` (as openapi_v2_document builds it) in gnostic's protobuf."""
    verbs = {"get": 2, "put": 3, "post": 4, "delete": 5, "patch": 8}
    paths = b""
    for path, item in document["paths"].items():
        encoded = b"".join(_bytes(verbs[verb], _pb_operation(operation)) for verb, operation in item.items() if verb in verbs)
        encoded += b"".join(_bytes(9, _pb_parameter(parameter)) for parameter in item.get("parameters") or [])
        paths += _bytes(2, _string(1, path) + _bytes(2, encoded))
    definitions = b"".join(_bytes(1, _string(1, name) + _bytes(2, _schema(schema)))
                           for name, schema in document["definitions"].items())
    return (_string(1, document["swagger"]) + _bytes(2, _string(1, document["info"]["title"]) + _string(2, document["info"]["version"]))
            + _bytes(8, paths) + _bytes(9, definitions))
