-- Portable SQL as in V1: runs unchanged on H2 2.x and PostgreSQL. One column per ALTER TABLE
-- statement, because the two databases spell "add several columns" differently.

-- Lineage, stored with the version and never changed.
ALTER TABLE model_version ADD COLUMN training_data_ref VARCHAR(2048);
ALTER TABLE model_version ADD COLUMN training_data_sha256 VARCHAR(64);
ALTER TABLE model_version ADD COLUMN parameters VARCHAR(1000000) DEFAULT '{}' NOT NULL;

-- Verification on registration: PENDING until the verifier records VERIFIED or FAILED, once.
ALTER TABLE model_version ADD COLUMN verification_status VARCHAR(16) DEFAULT 'PENDING' NOT NULL;
ALTER TABLE model_version ADD COLUMN verification_message VARCHAR(10000);
ALTER TABLE model_version ADD COLUMN verified_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE model_version ADD CONSTRAINT ck_model_version_verification
    CHECK (verification_status IN ('PENDING', 'VERIFIED', 'FAILED'));

-- The latest evaluation-gate result; NULL until the version is gated.
ALTER TABLE model_version ADD COLUMN gate_verdict VARCHAR(16);
ALTER TABLE model_version ADD COLUMN gate_numbers VARCHAR(1000000);
ALTER TABLE model_version ADD COLUMN gate_details VARCHAR(1000000);
ALTER TABLE model_version ADD COLUMN gated_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE model_version ADD CONSTRAINT ck_model_version_gate
    CHECK (gate_verdict IS NULL OR gate_verdict IN ('BLESSED', 'NOT_BLESSED'));

CREATE TABLE model_alias (
    model_name       VARCHAR(128)             NOT NULL,
    alias            VARCHAR(64)              NOT NULL,
    version          INTEGER                  NOT NULL,
    -- The version before the last move, for rollback; NULL when the alias has not moved.
    previous_version INTEGER,
    updated_by       VARCHAR(256)             NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_model_alias PRIMARY KEY (model_name, alias),
    CONSTRAINT fk_model_alias_version FOREIGN KEY (model_name, version)
        REFERENCES model_version (model_name, version)
);

CREATE TABLE version_tag (
    model_name VARCHAR(128)   NOT NULL,
    version    INTEGER        NOT NULL,
    tag_key    VARCHAR(128)   NOT NULL,
    tag_value  VARCHAR(10000) NOT NULL,
    CONSTRAINT pk_version_tag PRIMARY KEY (model_name, version, tag_key),
    CONSTRAINT fk_version_tag_version FOREIGN KEY (model_name, version)
        REFERENCES model_version (model_name, version)
);

-- One row per change, written in the change's own transaction. No foreign key to the model: the
-- log is a record of what happened and must not constrain what may happen next.
CREATE TABLE registry_audit (
    id          BIGINT                   NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor       VARCHAR(256)             NOT NULL,
    action      VARCHAR(64)              NOT NULL,
    model_name  VARCHAR(128)             NOT NULL,
    version     INTEGER,
    alias       VARCHAR(64),
    detail      VARCHAR(1000000)         NOT NULL,
    reason      VARCHAR(10000),
    forced      BOOLEAN                  DEFAULT FALSE NOT NULL,
    CONSTRAINT pk_registry_audit PRIMARY KEY (id)
);

CREATE INDEX ix_registry_audit_model ON registry_audit (model_name, id);

-- The change counter: its single row is incremented first by every change, so that writers are
-- serialized and audit ids (taken from it) follow commit order without gaps. An identity column
-- would not do: its values are handed out before commit, so a poller could skip a change that
-- commits after a higher id.
CREATE TABLE registry_change (
    id  INTEGER NOT NULL,
    seq BIGINT  NOT NULL,
    CONSTRAINT pk_registry_change PRIMARY KEY (id),
    CONSTRAINT ck_registry_change_single CHECK (id = 1)
);

-- Versions registered before this migration get their registration into the log.
INSERT INTO registry_audit (id, occurred_at, actor, action, model_name, version, detail, forced)
SELECT ROW_NUMBER() OVER (ORDER BY created_at, model_name, version), created_at, created_by,
       'version.register', model_name, version, '{"migrated":true}', FALSE
FROM model_version;

INSERT INTO registry_change (id, seq) SELECT 1, COALESCE(MAX(id), 0) FROM registry_audit;
