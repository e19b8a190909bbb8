"""Every record shape, built in one place: what the commands print with
--json, results.json and manifest.json of a report, and (through one flatten
rule, `securityroof.records.fields.flatten`) the CSV and Parquet tables.

Record modules load no analysis: result types are for annotations only."""
