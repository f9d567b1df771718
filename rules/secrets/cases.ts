/** The secrets controls' fixtures: for each, a compliant side and a failing side differing in one field. */
import { Case, cm, d, withContainer } from "../testkit/cases";

export const CASES: Case[] = [
    {
        id: "SEC-01",
        what: "secretKeyRef env",
        good: () => [d()],
        bad: () => [
            withContainer(
                c => (c.env = [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }]),
            ),
        ],
    },
    {
        id: "SEC-01",
        what: "envFrom secretRef",
        good: () => [withContainer(c => (c.envFrom = [{ configMapRef: { name: "cfg" } }]))],
        bad: () => [withContainer(c => (c.envFrom = [{ secretRef: { name: "db" } }]))],
    },
    {
        id: "SEC-02",
        what: "literal password env",
        good: () => [withContainer(c => (c.env = [{ name: "PASSWORD_FILE", value: "/secrets/db" }]))],
        bad: () => [withContainer(c => (c.env = [{ name: "DB_PASSWORD", value: "hunter2hunter2" }]))],
    },
    {
        id: "SEC-02",
        what: "AWS key in an innocently named env",
        good: () => [withContainer(c => (c.env = [{ name: "LOG_LEVEL", value: "info" }]))],
        bad: () => [withContainer(c => (c.env = [{ name: "CONFIG", value: "AKIAABCDEFGHIJKLMNOP" }]))],
    },
    {
        id: "SEC-03",
        what: "ConfigMap with a token",
        good: () => [cm({ "app.yaml": "port: 8080\nlogLevel: info\n" })],
        bad: () => [cm({ "app.yaml": "port: 8080\napi_token: 9f8e7d6c5b4a\n" })],
    },
    {
        id: "SEC-03",
        what: "ConfigMap with a private key",
        good: () => [cm({ TOKEN_TTL: "3600" })],
        bad: () => [cm({ "key.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" })],
    },
];
