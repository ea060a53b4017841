-- Portable SQL: runs unchanged on H2 2.x and PostgreSQL. Large text is VARCHAR(1000000), which both
-- accept (H2's VARCHAR limit is 1,000,000 characters; PostgreSQL allows up to 10,485,760), instead of
-- CLOB (not in PostgreSQL) or TEXT (not in H2's default mode). Timestamps are UTC instants.

CREATE TABLE registered_model (
    name        VARCHAR(128)             NOT NULL,
    description VARCHAR(10000),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_registered_model PRIMARY KEY (name)
);

CREATE TABLE model_version (
    model_name  VARCHAR(128)             NOT NULL,
    version     INTEGER                  NOT NULL,
    format      VARCHAR(64)              NOT NULL,
    sha256      VARCHAR(64)              NOT NULL,
    size_bytes  BIGINT                   NOT NULL,
    manifest    VARCHAR(1000000),
    metrics     VARCHAR(1000000)         NOT NULL,
    description VARCHAR(10000),
    created_by  VARCHAR(256)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    -- The primary key is what makes concurrent registrations safe: two writers that pick the same
    -- next version collide here, and the loser retries with the next number.
    CONSTRAINT pk_model_version PRIMARY KEY (model_name, version),
    CONSTRAINT fk_model_version_model FOREIGN KEY (model_name) REFERENCES registered_model (name),
    CONSTRAINT ck_model_version_positive CHECK (version > 0),
    CONSTRAINT ck_model_version_size CHECK (size_bytes >= 0)
);

-- Finds the versions that use an artifact (for garbage collection of the artifact store).
CREATE INDEX ix_model_version_sha256 ON model_version (sha256);
