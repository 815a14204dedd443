//! A cache entry and its on-disk encoding.
//!
//! The encoding is a small versioned binary frame with a CRC-32 over all of
//! it, so a torn or corrupted value is recognised and treated as missing
//! rather than served:
//!
//! ```text
//! "LRDR" | schema u16 | fetched_at_ms u64 | etag_len u16 | etag |
//! payload_len u32 | payload | crc32 u32          (integers little-endian)
//! ```

/// The frame's magic bytes.
const MAGIC: &[u8; 4] = b"LRDR";
/// The current frame layout. A different number is never decoded.
pub const SCHEMA_VERSION: u16 = 1;
/// Magic, schema, fetched_at, etag length, payload length, checksum.
const FIXED_BYTES: usize = 4 + 2 + 8 + 2 + 4 + 4;

/// One cached value: the upstream's bytes and what revalidation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// The response body as the upstream sent it.
    pub payload: Vec<u8>,
    /// When it was fetched (or last confirmed by a 304), Unix milliseconds.
    pub fetched_at_ms: u64,
    /// The upstream's ETag, sent back as `If-None-Match`.
    pub etag: Option<String>,
}

/// Why stored bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("the entry is {0} bytes, shorter than any valid entry")]
    TooShort(usize),
    #[error("the entry does not start with Larder's magic bytes")]
    BadMagic,
    #[error("the entry has schema {0}, not {SCHEMA_VERSION}")]
    UnknownSchema(u16),
    #[error("the entry's lengths do not add up")]
    BadLength,
    #[error("the entry's checksum does not match: it is corrupted")]
    BadChecksum,
    #[error("the entry's ETag is not UTF-8")]
    EtagNotUtf8,
    #[error("the ETag is longer than 65535 bytes")]
    EtagTooLong,
    #[error("the payload is larger than 4 GiB")]
    PayloadTooLarge,
}

impl CacheEntry {
    /// Encodes the entry into its checksummed frame.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let etag = self.etag.as_deref().unwrap_or("").as_bytes();
        let etag_len = u16::try_from(etag.len()).map_err(|_| EntryError::EtagTooLong)?;
        let payload_len =
            u32::try_from(self.payload.len()).map_err(|_| EntryError::PayloadTooLarge)?;
        let mut out = Vec::with_capacity(FIXED_BYTES + etag.len() + self.payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&SCHEMA_VERSION.to_le_bytes());
        out.extend_from_slice(&self.fetched_at_ms.to_le_bytes());
        out.extend_from_slice(&etag_len.to_le_bytes());
        out.extend_from_slice(etag);
        out.extend_from_slice(&payload_len.to_le_bytes());
        out.extend_from_slice(&self.payload);
        let checksum = crc32fast::hash(&out);
        out.extend_from_slice(&checksum.to_le_bytes());
        Ok(out)
    }

    /// Decodes a frame; any damage is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        if bytes.len() < FIXED_BYTES {
            return Err(EntryError::TooShort(bytes.len()));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - 4);
        if &body[..4] != MAGIC {
            return Err(EntryError::BadMagic);
        }
        let stored = u32::from_le_bytes(checksum.try_into().map_err(|_| EntryError::BadLength)?);
        if crc32fast::hash(body) != stored {
            return Err(EntryError::BadChecksum);
        }
        let mut reader = Reader { bytes: body, at: 4 };
        let schema = u16::from_le_bytes(reader.array()?);
        if schema != SCHEMA_VERSION {
            return Err(EntryError::UnknownSchema(schema));
        }
        let fetched_at_ms = u64::from_le_bytes(reader.array()?);
        let etag_len = usize::from(u16::from_le_bytes(reader.array()?));
        let etag = reader.take(etag_len)?;
        let etag = std::str::from_utf8(etag).map_err(|_| EntryError::EtagNotUtf8)?;
        let payload_len = u32::from_le_bytes(reader.array()?) as usize;
        let payload = reader.take(payload_len)?.to_vec();
        if reader.at != body.len() {
            return Err(EntryError::BadLength);
        }
        Ok(Self {
            payload,
            fetched_at_ms,
            etag: (!etag.is_empty()).then(|| etag.to_owned()),
        })
    }
}

/// A bounds-checked cursor over a frame.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EntryError> {
        let end = self.at.checked_add(n).ok_or(EntryError::BadLength)?;
        let slice = self.bytes.get(self.at..end).ok_or(EntryError::BadLength)?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EntryError> {
        self.take(N)?.try_into().map_err(|_| EntryError::BadLength)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CacheEntry {
        CacheEntry {
            payload: br#"{"widgetId":3}"#.to_vec(),
            fetched_at_ms: 1_764_000_000_000,
            etag: Some("\"abc\"".into()),
        }
    }

    #[test]
    fn round_trips() {
        let entry = sample();
        assert_eq!(
            CacheEntry::decode(&entry.encode().expect("encodes")),
            Ok(entry)
        );
        let bare = CacheEntry {
            etag: None,
            payload: Vec::new(),
            ..sample()
        };
        assert_eq!(
            CacheEntry::decode(&bare.encode().expect("encodes")),
            Ok(bare)
        );
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let bytes = sample().encode().expect("encodes");
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut damaged = bytes.clone();
                damaged[i] ^= 1 << bit;
                assert!(CacheEntry::decode(&damaged).is_err(), "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn every_truncation_is_caught() {
        let bytes = sample().encode().expect("encodes");
        for len in 0..bytes.len() {
            assert!(CacheEntry::decode(&bytes[..len]).is_err(), "length {len}");
        }
    }

    #[test]
    fn other_schemas_are_refused() {
        let mut bytes = sample().encode().expect("encodes");
        bytes[4] = 2;
        let body_len = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body_len]).to_le_bytes();
        bytes[body_len..].copy_from_slice(&crc);
        assert_eq!(
            CacheEntry::decode(&bytes),
            Err(EntryError::UnknownSchema(2))
        );
    }
}
