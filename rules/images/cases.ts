/** The images controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, d, withContainer } from "../testkit/cases";
import { mutated } from "../testkit/workloads";

export const CASES: Case[] = [
    {
        id: "IMG-01",
        what: "image:latest",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "nginx:latest"))],
    },
    {
        id: "IMG-01",
        what: "untagged image",
        good: () => [withContainer(c => (c.image = "nginx:1.27"))],
        bad: () => [withContainer(c => (c.image = "registry.example.com:5000/app"))],
    },
    {
        id: "IMG-02",
        what: "tag without digest",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "registry.example.com/app:1.0"))],
    },
    {
        id: "IMG-03",
        what: "registry outside the allow-list",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "docker.io/library/nginx:1.27"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com"] } },
    },
    {
        id: "IMG-03",
        what: "implicit Docker Hub in the deny-list",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "nginx:1.27"))],
        cfg: { "allowed-image-registries": { deniedRegistries: ["docker.io"] } },
    },
    {
        id: "IMG-03",
        what: "Docker Hub official images allowed as docker.io/library",
        good: () => [withContainer(c => (c.image = "nginx:1.27"))],
        bad: () => [withContainer(c => (c.image = "bitnami/nginx:1.27"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "docker.io/library"] } },
    },
    {
        id: "IMG-03",
        what: "a path prefix ends at a segment boundary",
        good: () => [withContainer(c => (c.image = "ghcr.io/acme/app:1.0"))],
        bad: () => [withContainer(c => (c.image = "ghcr.io/acmex/app:1.0"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "ghcr.io/acme/"] } },
    },
    {
        id: "IMG-03",
        what: "a registry port is part of the host",
        good: () => [withContainer(c => (c.image = "localhost:5000/app:1.0"))],
        bad: () => [withContainer(c => (c.image = "registry.example.com:5000/app:1.0"))],
        cfg: { "allowed-image-registries": { allowedRegistries: ["registry.example.com", "localhost:5000"] } },
    },
    {
        id: "IMG-03",
        what: "index.docker.io is Docker Hub",
        good: () => [d()],
        bad: () => [withContainer(c => (c.image = "index.docker.io/library/nginx:1.27"))],
        cfg: { "allowed-image-registries": { deniedRegistries: ["docker.io"] } },
    },
    {
        id: "IMG-04",
        what: "IfNotPresent on a tagged image",
        good: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "Always";
            }),
        ],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "IfNotPresent";
            }),
        ],
    },
    {
        id: "IMG-04",
        what: "unset policy on a tagged image",
        good: () => [d()],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                delete c.imagePullPolicy;
            }),
        ],
    },
    {
        id: "IMG-05",
        what: "k8s.gcr.io image",
        good: () => [withContainer(c => (c.image = "registry.k8s.io/pause:3.10"))],
        bad: () => [withContainer(c => (c.image = "k8s.gcr.io/pause:3.2"))],
    },
    // An edge where what the API server admits (after its defaulting and conversion) or how CEL reads a value could
    // differ from the rule.
    {
        id: "IMG-04",
        what: "unset policy on a latest image defaults to Always",
        good: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:latest";
                delete c.imagePullPolicy;
            }),
        ],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com/a:1";
                c.imagePullPolicy = "Never";
            }),
        ],
    },
    {
        id: "IMG-04",
        what: "a digest makes the policy moot; a registry port is no tag",
        good: () => [withContainer(c => (c.imagePullPolicy = "IfNotPresent"))],
        bad: () => [
            withContainer(c => {
                c.image = "registry.example.com:5000/a";
                c.imagePullPolicy = "IfNotPresent";
            }),
        ],
    },
    {
        id: "IMG-05",
        what: "k8s.gcr.io in an init container, not a look-alike host",
        good: () => [withContainer(c => (c.image = "k8s.gcr.io.example.com/pause:3.2"))],
        bad: () => [mutated("Deployment", s => (s.initContainers[0].image = "k8s.gcr.io/pause:3.2"))],
    },
];
