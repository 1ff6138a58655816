//! The EXIF orientation of a JPEG: phones store portrait photos as landscape pixels plus a tag
//! saying "turn me". The browser honours the tag when it decodes, so the size the picture will
//! have must be known before asking the decoder to shrink it (a shrink to the unturned size would
//! squash the picture).

use super::geometry::Size;

/// The EXIF orientation tag of a JPEG (1–8), if it has one.
pub fn jpeg_orientation(bytes: &[u8]) -> Option<u16> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut pos = 2;
    // Walk the segments before the first scan; EXIF lives in APP1 near the start.
    while pos + 4 <= bytes.len() {
        if bytes[pos] != 0xFF {
            return None;
        }
        let marker = bytes[pos + 1];
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        let body = bytes.get(pos + 4..pos + 2 + length)?;
        if marker == 0xE1
            && let Some(tiff) = body.strip_prefix(b"Exif\0\0")
            && let Some(orientation) = tiff_orientation(tiff)
        {
            return Some(orientation);
        }
        pos += 2 + length;
    }
    None
}

/// The orientation tag (0x0112) of the first image directory of a TIFF block.
fn tiff_orientation(tiff: &[u8]) -> Option<u16> {
    let little = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let b = tiff.get(at..at + 2)?;
        Some(if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| {
        let b = tiff.get(at..at + 4)?;
        Some(if little {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    let directory = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(directory)?);
    (0..count).find_map(|i| {
        let entry = directory + 2 + i * 12;
        (u16_at(entry)? == 0x0112)
            .then(|| u16_at(entry + 8))
            .flatten()
            .filter(|o| (1..=8).contains(o))
    })
}

/// The size a picture of stored `size` has once turned by `orientation` (5–8 swap the sides).
pub fn oriented(size: Size, orientation: Option<u16>) -> Size {
    match orientation {
        Some(5..=8) => Size::new(size.height, size.width),
        _ => size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG head with an APP1 EXIF segment holding one orientation entry.
    fn jpeg_with_orientation(orientation: u16, little: bool) -> Vec<u8> {
        let mut tiff = Vec::new();
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        tiff.extend_from_slice(if little { b"II*\0" } else { b"MM\0*" });
        tiff.extend_from_slice(&u32b(8));
        tiff.extend_from_slice(&u16b(2));
        // An unrelated entry first (ImageWidth), then the orientation.
        tiff.extend_from_slice(&u16b(0x0100));
        tiff.extend_from_slice(&u16b(3));
        tiff.extend_from_slice(&u32b(1));
        tiff.extend_from_slice(&u32b(6000));
        tiff.extend_from_slice(&u16b(0x0112));
        tiff.extend_from_slice(&u16b(3));
        tiff.extend_from_slice(&u32b(1));
        tiff.extend_from_slice(&u16b(orientation));
        tiff.extend_from_slice(&[0, 0]);
        let mut body = b"Exif\0\0".to_vec();
        body.extend_from_slice(&tiff);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        jpeg.extend_from_slice(&body);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        jpeg
    }

    #[test]
    fn the_orientation_tag_is_read_in_both_byte_orders() {
        assert_eq!(jpeg_orientation(&jpeg_with_orientation(6, true)), Some(6));
        assert_eq!(jpeg_orientation(&jpeg_with_orientation(3, false)), Some(3));
    }

    #[test]
    fn pictures_without_a_tag_or_not_jpeg_have_none() {
        assert_eq!(jpeg_orientation(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None);
        assert_eq!(jpeg_orientation(b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(jpeg_orientation(&jpeg_with_orientation(9, true)), None);
        let cut = jpeg_with_orientation(6, true);
        assert_eq!(jpeg_orientation(&cut[..20]), None);
    }

    #[test]
    fn quarter_turns_swap_the_sides() {
        let size = Size::new(6000, 4000);
        assert_eq!(oriented(size, Some(6)), Size::new(4000, 6000));
        assert_eq!(oriented(size, Some(3)), size);
        assert_eq!(oriented(size, None), size);
    }
}
