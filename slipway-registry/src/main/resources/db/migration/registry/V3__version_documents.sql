-- Portable SQL as in V1 and V2: runs unchanged on H2 2.x and PostgreSQL.

-- Editable documents kept with a version, by kind (for example its data profile). Unlike the
-- version itself they may be replaced; every replacement is audited.
CREATE TABLE version_document (
    model_name VARCHAR(128)             NOT NULL,
    version    INTEGER                  NOT NULL,
    kind       VARCHAR(64)              NOT NULL,
    content    VARCHAR(10000000)        NOT NULL,
    updated_by VARCHAR(256)             NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_version_document PRIMARY KEY (model_name, version, kind),
    CONSTRAINT fk_version_document_version FOREIGN KEY (model_name, version)
        REFERENCES model_version (model_name, version)
);
