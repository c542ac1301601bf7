use std::fmt;

/// Why a size string was refused; the message is shown to people as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a size; write e.g. \"512KiB\", \"16MiB\" or \"1GiB\"")]
pub struct ByteSizeError(String);

/// A number of bytes written the way people write it: `512KiB`, `16MiB`,
/// `1GiB`, or plain `1048576`. KB/MB/GB are read as the binary units too,
/// because that is what people mean for limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl std::str::FromStr for ByteSize {
    type Err = ByteSizeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ByteSizeError(text.to_owned());
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (digits, unit) = trimmed.split_at(split);
        let amount: u64 = digits.parse().map_err(|_| error())?;
        let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1 << 10,
            "m" | "mb" | "mib" => 1 << 20,
            "g" | "gb" | "gib" => 1 << 30,
            _ => return Err(error()),
        };
        amount
            .checked_mul(multiplier)
            .map(ByteSize)
            .ok_or_else(error)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (size, unit) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
            if self.0 >= size && self.0.is_multiple_of(size) {
                return write!(f, "{}{unit}", self.0 / size);
            }
        }
        write!(f, "{}B", self.0)
    }
}

impl ByteSize {
    /// As a `usize` for buffer limits, saturating on small platforms.
    pub fn as_usize(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sizes() {
        assert_eq!("16MiB".parse::<ByteSize>().unwrap().0, 16 << 20);
        assert_eq!("512kb".parse::<ByteSize>().unwrap().0, 512 << 10);
        assert_eq!("1048576".parse::<ByteSize>().unwrap().to_string(), "1MiB");
        assert_eq!(ByteSize(1500).to_string(), "1500B");
        assert!("lots".parse::<ByteSize>().is_err());
        assert!("99999999999GiB".parse::<ByteSize>().is_err());
        assert!("5 parsecs".parse::<ByteSize>().is_err());
    }
}
