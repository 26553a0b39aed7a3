"""Static checks for the Kubernetes manifests under deploy/k8s (no cluster needed).

    .venv/bin/python deploy/check_manifests.py

The services' objects are written once, with neutral names, in base/service/ and named per service by
kustomize, so the checks that need real names run on what `kubectl kustomize` renders:

1. every YAML file parses, and every document has apiVersion, kind and metadata.name;
2. every kustomization (and component) lists only paths that exist, and every manifest file and every
   kustomization folder below base/ is included (one nobody includes silently never deploys);
3. every workload, in its file and as rendered, follows the deployment rules: non-root, read-only root
   filesystem, no privilege escalation, all capabilities dropped, requests and limits set, API probes
   on /readyz and /healthz (the gateway: /readyz?scope=self), `--port` equal to the `http` port;
4. when `kubectl` is installed, `kubectl kustomize` renders the base and every overlay, and in each
   rendering: references resolve (Service/PDB/HPA selectors and targets, Ingress backends, ConfigMaps,
   Secrets declared in secrets.template.yaml), selectors are exactly name + component, every service
   object carries its service's name, the `http://<svc>-api:<port>` addresses in ConfigMaps are real
   Services, a worker listens where its <SVC>_WORKER_METRICS_PORT says and Prometheus scrapes the
   container's port; the base reads every Secret of the template; overlays pin every image to a tag.

Exits 1 and lists every problem found.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

K8S = Path(__file__).resolve().parent / "k8s"
SECRETS_TEMPLATE = K8S / "secrets.template.yaml"
KUSTOMIZATION = "kustomization.yaml"
WORKLOAD_KINDS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}
NAME, COMPONENT = "app.kubernetes.io/name", "app.kubernetes.io/component"
SERVICE_ROLES = {"api", "worker", "migrate"}
SHAPE_KINDS = {"Deployment", "Job", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"}
TEMPLATE_IMAGE = "localwealth/service"  # the shared shape's image, renamed by every service's `images:`
ADDRESS = re.compile(r"^https?://([a-z0-9-]+):(\d+)(/.*)?$")

problems: list[str] = []


def problem(where: Path | str, message: str) -> None:
    problems.append(
        f"{Path(where).relative_to(K8S.parent.parent) if isinstance(where, Path) else where}: {message}"
    )


def load_all() -> dict[Path, list[dict[str, Any]]]:
    docs: dict[Path, list[dict[str, Any]]] = {}
    for path in sorted(K8S.rglob("*.y*ml")):
        try:
            loaded = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        except yaml.YAMLError as exc:
            problem(path, f"does not parse: {exc}")
            continue
        for doc in loaded:
            if not isinstance(doc, dict):
                problem(path, "a document is not a mapping")
                continue
            if path.name != KUSTOMIZATION and not (doc.get("metadata") or {}).get("name"):
                problem(path, f"{doc.get('kind', '?')} without metadata.name")
            if not doc.get("apiVersion") or not doc.get("kind"):
                problem(path, "document without apiVersion/kind")
        docs[path] = loaded
    return docs


def check_kustomizations(docs: dict[Path, list[dict[str, Any]]]) -> None:
    listed: set[Path] = set()
    roots = {K8S / "base", *(p for p in (K8S / "overlays").iterdir())}  # built directly, not included
    for path, loaded in docs.items():
        if path.name != KUSTOMIZATION:
            continue
        (kust,) = loaded
        for key in ("resources", "components"):
            for entry in kust.get(key) or []:
                target = (path.parent / entry).resolve()
                if target.is_dir():
                    listed.add(target / KUSTOMIZATION)
                    if not (target / KUSTOMIZATION).is_file():
                        problem(path, f"{key} entry {entry!r} is a folder without {KUSTOMIZATION}")
                elif target.is_file():
                    listed.add(target)
                else:
                    problem(path, f"{key} entry {entry!r} does not exist")
        for entry in kust.get("patches") or []:
            if "path" in entry and not (path.parent / entry["path"]).is_file():
                problem(path, f"patch file {entry['path']!r} does not exist")
        for gen in kust.get("configMapGenerator") or []:
            for entry in gen.get("files") or []:
                if not (path.parent / entry.split("=")[-1]).is_file():
                    problem(path, f"configMapGenerator file {entry!r} does not exist")
    for path in docs:
        if path.name == KUSTOMIZATION and path.parent not in roots and path.resolve() not in listed:
            problem(path.parent, "folder not listed by any kustomization (e.g. a service missing in base/)")
        elif path.name != KUSTOMIZATION and path != SECRETS_TEMPLATE and path.resolve() not in listed:
            problem(path, "not listed by any kustomization")


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["template"]["spec"]


def pod_labels(doc: dict[str, Any]) -> dict[str, str]:
    return doc["spec"]["template"]["metadata"].get("labels") or {}


def check_workload(where: Path | str, doc: dict[str, Any]) -> None:
    """The rules that hold for a workload whatever its name: in its file and as rendered."""
    name = f"{doc['kind']}/{doc['metadata']['name']}"
    spec = pod_spec(doc)
    pod_sc = spec.get("securityContext") or {}
    if pod_sc.get("runAsNonRoot") is not True:
        problem(where, f"{name}: pod securityContext.runAsNonRoot must be true")
    if (pod_sc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        problem(where, f"{name}: pod seccompProfile must be RuntimeDefault")
    if spec.get("automountServiceAccountToken") is not False:
        problem(where, f"{name}: automountServiceAccountToken must be false")
    if doc["kind"] == "Deployment":
        selector = doc["spec"]["selector"]["matchLabels"]
        if any(pod_labels(doc).get(k) != v for k, v in selector.items()):
            problem(where, f"{name}: selector does not match the pod template labels")
    volumes = {v["name"] for v in spec.get("volumes") or []}
    for container in spec["containers"]:
        cname = f"{name} container {container['name']}"
        sc = container.get("securityContext") or {}
        if sc.get("readOnlyRootFilesystem") is not True:
            problem(where, f"{cname}: readOnlyRootFilesystem must be true")
        if sc.get("allowPrivilegeEscalation") is not False:
            problem(where, f"{cname}: allowPrivilegeEscalation must be false")
        if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
            problem(where, f"{cname}: capabilities must drop ALL")
        resources = container.get("resources") or {}
        for part in ("requests", "limits"):
            if not {"cpu", "memory"} <= set(resources.get(part) or {}):
                problem(where, f"{cname}: resources.{part} needs cpu and memory")
        for mount in container.get("volumeMounts") or []:
            if mount["name"] not in volumes:
                problem(where, f"{cname}: volumeMount {mount['name']!r} has no volume")
        if pod_labels(doc).get(COMPONENT) == "api":
            ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
            args = container.get("args") or []
            if "--port" not in args or int(args[args.index("--port") + 1]) != ports.get("http"):
                problem(where, f"{cname}: `--port` argument and the `http` containerPort differ")
            readiness_path = (container.get("readinessProbe") or {}).get("httpGet", {}).get("path", "")
            if readiness_path.split("?")[0] != "/readyz":
                problem(where, f"{cname}: readinessProbe must GET /readyz (the gateway: /readyz?scope=self)")
            if (container.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
                problem(where, f"{cname}: livenessProbe must GET /healthz")


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_rendered(where: str, objects: list[dict[str, Any]], secrets: set[str]) -> set[str]:
    """Checks one `kubectl kustomize` output; returns the Secrets its workloads read."""
    configmaps = {d["metadata"]["name"]: d.get("data") or {} for d in objects if d["kind"] == "ConfigMap"}
    deployments = {d["metadata"]["name"]: d for d in objects if d["kind"] == "Deployment"}
    services = {d["metadata"]["name"]: d for d in objects if d["kind"] == "Service"}
    secrets_read: set[str] = set()
    for doc in objects:
        kind, name = doc["kind"], doc["metadata"]["name"]
        labels = doc["metadata"].get("labels") or {}
        # Every object of a service's shape (base/service) is named <svc>-<role> and labelled <svc>.
        shaped = kind in SHAPE_KINDS and labels.get(COMPONENT) in SERVICE_ROLES
        if shaped and not name.startswith(f"{labels.get(NAME)}-"):
            problem(where, f"{kind}/{name}: name does not start with its {NAME} label {labels.get(NAME)!r}")
        selector = {
            "Deployment": lambda d: d["spec"]["selector"]["matchLabels"],
            "Service": lambda d: d["spec"]["selector"],
            "PodDisruptionBudget": lambda d: d["spec"]["selector"]["matchLabels"],
        }.get(kind)
        if selector and set(selector(doc)) != {NAME, COMPONENT}:
            problem(where, f"{kind}/{name}: selector must be exactly {NAME} + {COMPONENT} (immutable)")
        if kind in WORKLOAD_KINDS:
            check_workload(where, doc)
            secrets_read |= check_workload_references(where, doc, configmaps, secrets)
        elif kind == "ConfigMap":
            # In-cluster addresses (GATEWAY_<SVC>_URL=http://<svc>-api:<port>) must reach a Service port.
            for key, value in (doc.get("data") or {}).items():
                address = ADDRESS.match(str(value))
                if not address:
                    continue
                svc = services.get(address[1]) or {"spec": {"ports": []}}
                if int(address[2]) not in {p["port"] for p in svc["spec"]["ports"]}:
                    problem(where, f"ConfigMap/{name}: {key}={value} is not a Service port in this namespace")
        elif kind == "Service":
            targets = [d for d in deployments.values() if matches(doc["spec"]["selector"], pod_labels(d))]
            if not targets:
                problem(where, f"Service/{name}: selector matches no Deployment")
            for port in doc["spec"]["ports"]:
                named = {
                    p.get("name")
                    for d in targets
                    for c in pod_spec(d)["containers"]
                    for p in c.get("ports") or []
                }
                if isinstance(port.get("targetPort"), str) and port["targetPort"] not in named:
                    problem(
                        where,
                        f"Service/{name}: targetPort {port['targetPort']!r} is not a container port name",
                    )
        elif kind == "PodDisruptionBudget":
            if not any(
                matches(doc["spec"]["selector"]["matchLabels"], pod_labels(d)) for d in deployments.values()
            ):
                problem(where, f"PodDisruptionBudget/{name}: selector matches no Deployment")
        elif kind == "HorizontalPodAutoscaler":
            if doc["spec"]["scaleTargetRef"]["name"] not in deployments:
                problem(where, f"HorizontalPodAutoscaler/{name}: target Deployment does not exist")
        elif kind == "Ingress":
            for rule in doc["spec"]["rules"]:
                for p in rule["http"]["paths"]:
                    backend = p["backend"]["service"]
                    svc = services.get(backend["name"])
                    if svc is None:
                        problem(where, f"Ingress/{name}: backend Service {backend['name']!r} does not exist")
                    elif backend["port"].get("name") not in {sp.get("name") for sp in svc["spec"]["ports"]}:
                        port, target = backend["port"], svc["metadata"]["name"]
                        problem(where, f"Ingress/{name}: backend port {port} is not on Service {target}")
    return secrets_read


def check_workload_references(
    where: str, doc: dict[str, Any], configmaps: dict[str, dict[str, str]], secrets: set[str]
) -> set[str]:
    name = f"{doc['kind']}/{doc['metadata']['name']}"
    secrets_read: set[str] = set()
    all_ports: set[int] = set()
    for container in pod_spec(doc)["containers"]:
        cname = f"{name} container {container['name']}"
        if container["image"].split(":")[0] == TEMPLATE_IMAGE:
            problem(where, f"{cname}: image {TEMPLATE_IMAGE!r} was not renamed by the service's `images:`")
        settings: dict[str, str] = {}
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                cm = source["configMapRef"]["name"]
                if cm not in configmaps:
                    problem(where, f"{cname}: ConfigMap {cm!r} is not generated")
                settings |= configmaps.get(cm, {})
            if "secretRef" in source:
                secret = source["secretRef"]["name"]
                secrets_read.add(secret)
                if secret not in secrets:
                    problem(where, f"{cname}: Secret {secret!r} is not in secrets.template.yaml")
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
            if ref and ref["name"] not in configmaps:
                problem(where, f"{cname}: ConfigMap {ref['name']!r} is not generated")
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
        all_ports |= set(ports.values())
        if pod_labels(doc).get(COMPONENT) == "worker":
            # The worker listens on <SVC>_WORKER_METRICS_PORT; the container must expose that port.
            metrics = [v for k, v in settings.items() if k.endswith("_WORKER_METRICS_PORT")]
            if metrics != [str(ports.get("metrics"))]:
                problem(where, f"{cname}: port `metrics` {ports.get('metrics')}, WORKER_METRICS_PORT {metrics}")
    scrape_port = (doc["spec"]["template"]["metadata"].get("annotations") or {}).get("prometheus.io/port")
    if scrape_port is not None and int(scrape_port) not in all_ports:
        problem(where, f"{name}: prometheus.io/port {scrape_port} is not a container port")
    return secrets_read


def render_with_kubectl(secrets: set[str]) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print(
            "check_manifests: kubectl not installed; skipped `kubectl kustomize` and the checks of the "
            "rendered objects (references, names, ports) — install kubectl to run them"
        )
        return
    roots = [K8S / "base", *sorted(p for p in (K8S / "overlays").iterdir() if (p / KUSTOMIZATION).is_file())]
    for root in roots:
        command = [kubectl, "kustomize", str(root)]  # fixed arguments: paths inside this repository
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        shown = str(root.relative_to(K8S.parent.parent))
        if result.returncode != 0:
            problem(root, f"`kubectl kustomize` failed: {result.stderr.strip()}")
            continue
        objects = [d for d in yaml.safe_load_all(result.stdout) if d]
        print(f"check_manifests: kubectl kustomize {shown}: {len(objects)} objects")
        secrets_read = check_rendered(f"{shown} (rendered)", objects, secrets)
        if root == K8S / "base":
            for unused in sorted(secrets - secrets_read):
                problem(SECRETS_TEMPLATE, f"Secret/{unused} is read by no workload of the base")
        else:  # an overlay deploys a release: one explicit tag per image, never an implicit :latest
            for doc in (d for d in objects if d["kind"] in WORKLOAD_KINDS):
                for image in (c["image"] for c in pod_spec(doc)["containers"]):
                    if ":" not in image.rsplit("/", 1)[-1]:
                        problem(f"{shown} (rendered)", f"{doc['kind']}/{doc['metadata']['name']}: {image!r} has no tag")


def main() -> int:
    docs = load_all()
    check_kustomizations(docs)
    secrets = {d["metadata"]["name"] for d in docs.get(SECRETS_TEMPLATE, []) if d.get("kind") == "Secret"}
    for name, doc in ((d["metadata"]["name"], d) for d in docs.get(SECRETS_TEMPLATE, [])):
        if any(v for v in (doc.get("stringData") or {}).values()) or doc.get("data"):
            problem(SECRETS_TEMPLATE, f"Secret/{name} carries values; the template must stay empty")
    for path, loaded in docs.items():
        for doc in loaded:
            if path.name != KUSTOMIZATION and doc.get("kind") in WORKLOAD_KINDS:
                check_workload(path, doc)
    render_with_kubectl(secrets)
    files = sum(1 for p in docs if p.name != KUSTOMIZATION)
    if problems:
        print(f"check_manifests: {len(problems)} problem(s):", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"check_manifests: OK — {files} manifest files, {sum(len(v) for v in docs.values())} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
