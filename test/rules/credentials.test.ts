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
