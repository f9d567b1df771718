/**
 * SEC-02/SEC-03 precision: key-name and value evidence combined, known formats, parsed config files, the key named in
 * message and path.
 */
import { strict as assert } from "assert";
import { RULES } from "../../rules";
import { evaluate, resolveRules } from "../../rules/evaluate";
import { findInValue, keyClass } from "../../rules/secrets/credentials";
import { cm, withContainer } from "../../rules/cases";

const run = (id: string, objs: unknown[]) => evaluate(resolveRules(RULES.filter(r => r.id === id)), objs as never);

/** [key, value, is a credential] */
const TABLE: Array<[string, unknown, boolean]> = [
    // Names alone are not evidence when the value is plainly not a secret.
    ["PASSENGER_APP_ENV", "production", false],
    ["SECRET_STORE_BACKEND", "vault", false],
    ["TOKEN_AUDIENCE", "sts.amazonaws.com", false],
    ["ENABLE_AUTH_TOKEN", "true", false],
    ["TOKEN_PATH", "/var/run/secrets/token", false],
    ["API_KEY", "$(API_KEY)", false],
    ["SECRET_NAME", "db-secret", false],
    ["AUTH_URL", "https://idp.example.com/auth", false],
    ["TOKEN_TTL", "3600", false],
    ["client_secret", "production", false],
    ["AWS_ACCESS_KEY_ID", "something", false],
    ["MINIO_ACCESS_KEY", "admin", false],
    ["PASSWORD", "", false],
    ["PASSWORD", "true", false],
    ["DATABASE_URL", "postgres://app:${DB_PASS}@db/app", false],
    ["values.yaml", "custom_secrets: []\nreplicas: 1\n", false],
    ["app.yaml", "port: 8080\nlogLevel: info\n", false],
    // Settings about a credential: a descriptive word right after the credential word (postgres-operator's ConfigMap).
    ["password_rotation_user_retention", "180", false],
    ["secret_name_template", "{username}.{cluster}.credentials.{tprkind}.{tprgroup}", false],
    ["PASSWORD_MAX_AGE_DAYS", "90", false],
    ["password_encryption", "scram-sha-256", false],
    ["secret_mount_point", "secret", false],
    // Password keys hold passwords, numbers included; generated-looking values under token/secret keys; known formats
    // anywhere.
    ["MYSQL_PASSWORD", "1234", true],
    // ...but a credential word completed or repeated later still holds one.
    ["SECRET_KEY_BASE", "a8f3k2LmZq9x", true],
    ["SECRET_ENCRYPTION_KEY", "Zx81kQ0pL2mN", true],
    ["SECRET_STORE_TOKEN", "hvs.CAESIJx81kQ0pL2mN", true],
    ["DB_PASSWORD", "hunter2hunter2", true],
    ["client_secret", "A8f!kq2LmZ", true],
    // a default password is a secret under any secret key, though a single word or a number reads as a setting there
    ["MINIO_SECRET_KEY", "password", true],
    ["AWS_SECRET_ACCESS_KEY", "changeme", true],
    ["API_TOKEN", "123456", true],
    ["SECRET_KEY", "django-insecure-abc123xyz", true],
    ["REDIS_URL", "redis://:pa55w0rd@host:6379/0", true],
    ["DATABASE_URL", "postgres://app:s3cr3t@db:5432/app", true],
    ["CONFIG", "AKIAABCDEFGHIJKLMNOP", true],
    // A password inline in a longer value: JAAS (Kafka), connection strings, URL queries, JVM options.
    [
        "sasl.jaas.config",
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";',
        true,
    ],
    ["ConnectionStrings__Default", "Server=db;Database=app;User Id=sa;Password=Sup3rS3cret!;", true],
    ["JDBC_URL", "jdbc:mysql://db:3306/app?user=root&password=root_password", true],
    ["JAVA_OPTS", "-Xmx1g -Djavax.net.ssl.keyStorePassword=k3yst0re!", true],
    ["JDBC_URL", "jdbc:mysql://db:3306/app?user=root&password=${DB_PASSWORD}", false],
    ["init.sh", "#!/bin/sh\nexport PGPASSWORD=$(cat /secrets/pw)\npsql -h db\n", false],
    [
        "client.properties",
        "security.protocol=SASL_SSL\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule " +
            'required username="alice" password="alice-secret";\n',
        true,
    ],
    ["pam_configuration", "https://info.example.com/oauth2/tokeninfo?access_token= uid realm=/employees", false],
    ["GITHUB_TOKEN", "ghp_" + "a".repeat(36), true],
    ["ANY", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----", true],
    ["X", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", true],
    // Configuration files parsed before their keys are judged.
    ["app.yaml", "port: 8080\napi_token: 9f8e7d6c5b4a\n", true],
    ["app.properties", "db.password=s3cr3tvalue99", true],
    ["config.json", '{"db": {"password": 1234}}', true],
    ["settings.ini", "[database]\nhost = db\npassword = Sup3r!\n", true],
    ["users.yaml", "users:\n  - name: a\n    password: x1\n", true],
    [".env", "export API_TOKEN='Zx81kQ0pL2mN'\n", true],
];

describe("credential detection with precision", () => {
    for (const [key, value, want] of TABLE) {
        it(`${key}=${JSON.stringify(value).slice(0, 50)} is ${want ? "" : "not "}a credential`, () =>
            assert.equal(findInValue(key, value) !== undefined, want, JSON.stringify(findInValue(key, value))));
    }
    it("names are judged word by word", () => {
        assert.equal(keyClass("PASSENGER_APP_ENV"), undefined);
        assert.equal(keyClass("dbPassword"), "password");
        assert.equal(keyClass("MYSQL_ROOT_PWD"), "password");
        assert.equal(keyClass("SECRET_KEY"), "secret");
        assert.equal(keyClass("SECRET_KEY_PATH"), undefined);
    });
    it(
        "SEC-02 is not raised by PASSENGER_APP_ENV=production, and is by MYSQL_PASSWORD=1234, naming the " + "variable",
        () => {
            assert.deepEqual(
                run("SEC-02", [
                    withContainer(
                        c =>
                            (c.env = [
                                { name: "PASSENGER_APP_ENV", value: "production" },
                                { name: "SECRET_STORE_BACKEND", value: "vault" },
                            ]),
                    ),
                ]),
                [],
            );
            const f = run("SEC-02", [
                withContainer(
                    c =>
                        (c.env = [
                            { name: "LOG", value: "x" },
                            { name: "MYSQL_PASSWORD", value: "1234" },
                        ]),
                ),
            ]);
            assert.equal(f.length, 1);
            assert.equal(f[0].path, "spec.template.spec.containers[0].env[1].value");
            assert.match(f[0].message, /env var MYSQL_PASSWORD to a literal password/);
        },
    );
    it("SEC-03: an empty list under a secrets key is not a finding; a nested key is named with its line", () => {
        assert.deepEqual(run("SEC-03", [cm({ "values.yaml": "custom_secrets: []\n" })]), []);
        const f = run("SEC-03", [cm({ "app.ini": "[main]\nport = 1\n\n[db]\npassword = s3cr3t!\n" })]);
        assert.equal(f.length, 1);
        assert.equal(f[0].path, 'data["app.ini"]');
        assert.match(f[0].message, /under key "app\.ini" \(at \[db\] password, line 5 inside it\)/);
        const y = run("SEC-03", [cm({ "config.yaml": "db:\n  host: x\n  password: 1234\n" })]);
        assert.match(y[0].message, /a numeric password under key "config\.yaml" \(at db\.password inside it\)/);
    });
    it("a URL with a password in its userinfo is found in any key", () =>
        assert.equal(run("SEC-03", [cm({ CACHE: "redis://:pa55w0rd@cache:6379" })]).length, 1));
});

/** `n` characters cycling through `alphabet` (fake tokens of the right shape). */
const run_ = (alphabet: string, n: number) =>
    Array.from({ length: n }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
const HEX = "0123456789abcdef";
const ALNUM = "Ab3Cd9Ef1Gh7Ij5Kl2Mn8Op4Qr6St0Uv";
const LETTERS = "abcdefghijklmnopQRSTUVWXYZqrstuv";

/** [what, a value of that format, the same shape one step off (too short, or a wrong marker)] */
const FORMATS: Array<[string, string, string]> = [
    [
        "an age secret key",
        "AGE-SECRET-KEY-1" + run_("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
        "AGE-SECRET-KEY-1" + "Q".repeat(20),
    ],
    ["a Google OAuth client secret", "GOCSPX-" + run_(ALNUM, 28), "GOCSPX-" + run_(ALNUM, 20)],
    ["an Azure AD client secret", "abc8Q~" + run_(ALNUM, 34), "abc8Q-" + run_(ALNUM, 34)],
    [
        "an Azure storage account key",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + run_(ALNUM, 86) + "==;EndpointSuffix=x",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=;EndpointSuffix=x",
    ],
    ["an Alibaba Cloud access key ID", "LTAI" + run_(ALNUM, 20), "LTAI" + run_(ALNUM, 8)],
    ["a DigitalOcean token", "dop_v1_" + run_(HEX, 64), "dop_v2_" + run_(HEX, 64)],
    ["an OpenShift user token", "sha256~" + run_(ALNUM, 43), "sha256:" + run_(HEX, 64)],
    ["a Pulumi access token", "pul-" + run_(HEX, 40), "pul-" + run_(HEX, 39)],
    ["a Terraform Cloud token", run_(ALNUM, 14) + ".atlasv1." + run_(ALNUM, 66), run_(ALNUM, 14) + ".atlasv1.short"],
    ["a HashiCorp Vault token", "hvs." + run_(ALNUM, 95), "hvs." + run_(ALNUM, 20)],
    ["a Doppler token", "dp.st.prd." + run_(ALNUM, 43), "dp.pt." + run_(ALNUM, 12)],
    ["a 1Password service account token", "ops_eyJ" + run_(ALNUM, 300), "ops_eyJ" + run_(ALNUM, 100)],
    ["a GitLab token (routable personal)", "glpat-" + run_(ALNUM, 40) + ".01.abcdefghi", "glpat-" + run_(ALNUM, 12)],
    ["a GitLab token (agent)", "glagent-" + run_(ALNUM, 50), "glagent-" + run_(ALNUM, 30)],
    ["a GitLab token (runner)", "glrt-" + run_(ALNUM, 20), "glrt-" + run_(ALNUM, 12)],
    ["a PyPI token", "pypi-AgEIcHlwaS5vcmc" + run_(ALNUM, 60), "pypi-" + run_(ALNUM, 60)],
    ["a RubyGems token", "rubygems_" + run_(HEX, 48), "rubygems_" + run_(HEX, 40)],
    ["a Docker Hub access token", "dckr_pat_" + run_(ALNUM, 27), "dckr_pat_" + run_(ALNUM, 10)],
    ["a JFrog Artifactory API key", "AKCp" + run_(ALNUM, 69), "AKCp" + run_(ALNUM, 40)],
    ["a Databricks token", "dapi" + run_(HEX, 32), "dapi" + run_(HEX, 20)],
    ["a Hugging Face token", "hf_" + run_(LETTERS, 34), "hf_" + run_(LETTERS, 20)],
    ["a Dynatrace token", "dt0c01." + run_(ALNUM, 24) + "." + run_(ALNUM, 64), "dt0c01." + run_(ALNUM, 24)],
    ["a Grafana Cloud token", "glc_" + run_(ALNUM, 40), "glc_" + run_(ALNUM, 16)],
    ["a Grafana service account token", "glsa_" + run_(ALNUM, 32) + "_" + run_(HEX, 8), "glsa_" + run_(ALNUM, 32)],
    ["a New Relic license key", run_(HEX, 36) + "NRAL", run_(HEX, 36) + "NRXX"],
    ["a New Relic user API key", "NRAK-" + run_("ABCDEFGHIJ0123456789", 27), "NRAK-" + "A".repeat(10)],
    ["a Sentry token", "sntryu_" + run_(HEX, 64), "sntryu_" + run_(HEX, 30)],
    ["a Slack app token", "xapp-1-A0123456789-1234567890123-" + run_(HEX, 64), "xapp-x-" + run_(HEX, 30)],
    ["a Telegram bot token", "123456789:AA" + run_(ALNUM, 33), "123456789:BB" + run_(ALNUM, 33)],
    ["a Square token", "sq0atp-" + run_(ALNUM, 22), "sq0atp-" + run_(ALNUM, 10)],
    ["a Shopify token", "shpat_" + run_(HEX, 32), "shpat_" + run_(HEX, 16)],
    ["a Mailchimp API key", run_(HEX, 32) + "-us21", run_(HEX, 32) + "-uk21"],
    ["a Postman API key", "PMAK-" + run_(HEX, 24) + "-" + run_(HEX, 34), "PMAK-" + run_(HEX, 24)],
    ["a Linear API key", "lin_api_" + run_(ALNUM, 40), "lin_api_" + run_(ALNUM, 20)],
    ["a Heroku API key", "HRKU-AA" + run_(ALNUM, 58), "HRKU-BB" + run_(ALNUM, 58)],
    [
        "an OpenAI API key",
        "sk-proj-" + run_(ALNUM + "_-", 74) + "T3BlbkFJ" + run_(ALNUM, 74),
        "sk-proj-" + run_(ALNUM, 40),
    ],
];

describe("known token formats: a credential under any name; one step off, not one", () => {
    for (const [what, value, nearMiss] of FORMATS) {
        it(what, () => {
            const hit = findInValue("NOTE", value);
            assert.ok(hit, `${value} is not found`);
            assert.match(hit.reason, new RegExp(what.replace(/ \(.*\)$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
            assert.equal(findInValue("NOTE", nearMiss), undefined, nearMiss);
            // inside a longer value too (a command line, a config line)
            assert.ok(findInValue("ARGS", `--flag --token ${value} --other`), "not found inside a command line");
        });
    }
});

describe("SEC-02 on the command line", () => {
    const sec02 = (command: unknown, args: unknown) =>
        run("SEC-02", [
            withContainer(c => {
                if (command !== undefined) c.command = command;
                if (args !== undefined) c.args = args;
            }),
        ]);
    it("a flag's literal password, in the next argument or after `=`, is a finding at that argument", () => {
        const f = sec02(undefined, ["--username", "username", "--password", "password"]);
        assert.equal(f.length, 1);
        assert.equal(f[0].path, "spec.template.spec.containers[0].args[3]");
        assert.match(f[0].message, /on its command line \(args\[3\], flag --password\)/);
        const g = sec02(["/app", "--db-password=hunter2hunter2", "-v"], undefined);
        assert.deepEqual(
            g.map(x => x.path),
            ["spec.template.spec.containers[0].command[1]"],
        );
    });
    it("a token in any argument, a password inside a shell line", () => {
        const ghp = "ghp_" + "a".repeat(36);
        assert.equal(sec02(["sh", "-c", `curl -H "Authorization: token ${ghp}" https://x`], undefined).length, 1);
        assert.equal(sec02(["sh", "-c", "PASSWORD=s3cr3t-value ./run"], undefined).length, 1);
    });
    it("paths, references, settings and flags without a value are not credentials", () => {
        const none = [
            ["--password-file=/etc/secret/pw", "--token-ttl", "3600", "--client-secret=$(CLIENT_SECRET)"],
            ["--password", "--verbose", "--secret-name", "db-creds", "--tls-private-key-file", "/tls/key.pem"],
            ["--api-key", "${API_KEY}", "-p", "8080", "--debug", "start"],
            ["sh", "-c", 'export PGPASSWORD="$(cat /secrets/pw)" && psql -h db'],
        ];
        for (const args of none) assert.deepEqual(sec02(undefined, args), [], JSON.stringify(args));
        // not lists of strings: nothing to read, no error
        assert.deepEqual(sec02("--password=x", { a: 1 }), []);
        assert.deepEqual(sec02([1, null, { x: "--password" }], undefined), []);
    });
});
