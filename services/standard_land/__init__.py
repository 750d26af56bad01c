"""标准地 (standard land): parcels and indicators, intake, evaluation, catalogue, verification."""
