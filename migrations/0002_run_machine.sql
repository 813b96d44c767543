-- ganpipe schema v2: the machine a run was started on. GEMM results depend on the BLAS kernel,
-- so a run is bit-identical on resume only on the same one; a resume on another kernel writes a
-- `kernel_changed` warning event. JSON (see migrations/README.md); NULL for runs started
-- before this migration. Never edit this file once it has landed.
ALTER TABLE runs ADD COLUMN machine_json TEXT CHECK (machine_json IS NULL OR json_valid(machine_json));
