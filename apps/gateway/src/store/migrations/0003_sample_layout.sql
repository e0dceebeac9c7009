-- Chunks of whole samples (docs/dataset-formats.md): a transfer of a dataset of samples declares
-- each chunk's plaintext size at InitiateTransfer (TransferOptions.chunk_plain_sizes), and the
-- receiver holds every chunk to it, also after a gateway restart. Stored as num_chunks unsigned
-- 32-bit big-endian integers; NULL for an opaque file in fixed-size chunks of chunk_size.
ALTER TABLE transfers ADD COLUMN chunk_plain_sizes bytea
  CHECK (chunk_plain_sizes IS NULL OR octet_length(chunk_plain_sizes) = 4 * num_chunks);
