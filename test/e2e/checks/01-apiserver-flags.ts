/**
 * e2e check 1: the running kube-apiserver's arguments are exactly the generated ones (only the
 * local listen addresses and the loopback OIDC issuer differ), and a bad flag stops it.
 */
import { spawnSync } from "child_process";
import { readFileSync } from "fs";
import * as path from "path";
import { LOCAL_OIDC_OVERRIDES, LOCAL_OVERRIDES } from "../../../cluster/local";
import { assert, Check } from "../harness";

export const check: Check = {
    name: "1. apiserver runs with exactly the generated flags, encryption config and audit policy",
    run: ({ c }) => {
        const cmdline = readFileSync(`/proc/${c.apiserverPid}/cmdline`, "utf8").split("\0").filter(Boolean).slice(1);
        assert(
            JSON.stringify(cmdline) === JSON.stringify(c.apiserverArgs),
            "running kube-apiserver's arguments differ from the generated ones",
        );
        // Only the listen addresses (and, with OIDC, the issuer moved to the loopback provider and its CA) differ.
        const overrides = [...LOCAL_OVERRIDES, ...(c.oidc ? LOCAL_OIDC_OVERRIDES : [])];
        const overridden = cmdline.filter(a =>
            [...LOCAL_OVERRIDES, ...LOCAL_OIDC_OVERRIDES].some(o => a.startsWith(`--${o}=`)),
        );
        assert(
            overridden.length === overrides.length &&
                overrides.every(o => overridden.some(a => a.startsWith(`--${o}=`))),
            `unexpected local overrides: ${overridden.join(" ")}`,
        );
        for (const f of [
            "--anonymous-auth=false",
            "--authorization-mode=Node,RBAC",
            "--profiling=false",
            "--tls-min-version=VersionTLS12",
        ])
            assert(cmdline.includes(f), `missing ${f}`);
        const enc = cmdline.find(a => a.startsWith("--encryption-provider-config="))!.split("=")[1];
        assert(
            readFileSync(enc, "utf8").includes(`name: ${c.encryptionKeyName}`),
            "encryption config is not the generated one",
        );
        const bad = spawnSync(
            path.join(c.toolsBin, "kube-apiserver"),
            [
                ...c.apiserverArgs.filter(a => !a.startsWith("--secure-port")),
                "--secure-port=0",
                "--no-such-hardening-flag=true",
            ],
            { encoding: "utf8", timeout: 30_000 },
        );
        assert(
            bad.status !== 0 && /unknown flag/.test(bad.stderr),
            "a bad flag must make kube-apiserver refuse to start",
        );
    },
};
