//! gRPC status codes, as data (no gRPC library needed).

/// Declares [`GrpcCode`] from one list: each code's name, value and
/// canonical name; the enum, [`GrpcCode::ALL`], [`GrpcCode::name`] and
/// [`GrpcCode::from_i32`] are generated from it.
macro_rules! grpc_codes {
    ($( $(#[doc = $doc:literal])* $code:ident = $value:literal $name:literal; )*) => {
        /// A gRPC status code
        /// ([google/rpc/code.proto](https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto)).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum GrpcCode {
            $( $(#[doc = $doc])* $code = $value, )*
        }

        impl GrpcCode {
            /// Every code, by value.
            pub const ALL: &'static [GrpcCode] = &[ $( GrpcCode::$code, )* ];

            /// The code's canonical UPPER_SNAKE_CASE name.
            pub const fn name(self) -> &'static str {
                match self {
                    $( GrpcCode::$code => $name, )*
                }
            }

            /// The code for a numeric value; unknown values are `Unknown`,
            /// as gRPC clients do.
            pub const fn from_i32(value: i32) -> GrpcCode {
                match value {
                    $( $value => GrpcCode::$code, )*
                    _ => GrpcCode::Unknown,
                }
            }
        }
    };
}

grpc_codes! {
    /// Not an error.
    Ok = 0 "OK";
    /// The operation was cancelled, typically by the caller.
    Cancelled = 1 "CANCELLED";
    /// Unknown error.
    Unknown = 2 "UNKNOWN";
    /// The client specified an invalid argument.
    InvalidArgument = 3 "INVALID_ARGUMENT";
    /// The deadline expired before the operation could complete.
    DeadlineExceeded = 4 "DEADLINE_EXCEEDED";
    /// Some requested entity was not found.
    NotFound = 5 "NOT_FOUND";
    /// The entity a client attempted to create already exists.
    AlreadyExists = 6 "ALREADY_EXISTS";
    /// The caller may not execute the operation.
    PermissionDenied = 7 "PERMISSION_DENIED";
    /// Some resource has been exhausted (a quota, disk space).
    ResourceExhausted = 8 "RESOURCE_EXHAUSTED";
    /// The system is not in a state required for the operation.
    FailedPrecondition = 9 "FAILED_PRECONDITION";
    /// The operation was aborted (a concurrency conflict).
    Aborted = 10 "ABORTED";
    /// The operation was attempted past the valid range.
    OutOfRange = 11 "OUT_OF_RANGE";
    /// The operation is not implemented or supported.
    Unimplemented = 12 "UNIMPLEMENTED";
    /// Internal error: an invariant of the system is broken.
    Internal = 13 "INTERNAL";
    /// The service is currently unavailable.
    Unavailable = 14 "UNAVAILABLE";
    /// Unrecoverable data loss or corruption.
    DataLoss = 15 "DATA_LOSS";
    /// No valid authentication credentials.
    Unauthenticated = 16 "UNAUTHENTICATED";
}

impl GrpcCode {
    /// The numeric value sent in `grpc-status`.
    pub const fn as_i32(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for (v, code) in GrpcCode::ALL.iter().enumerate() {
            let v = i32::try_from(v).unwrap();
            assert_eq!(code.as_i32(), v);
            assert_eq!(GrpcCode::from_i32(v), *code);
        }
        assert_eq!(GrpcCode::ALL.len(), 17);
        assert_eq!(GrpcCode::from_i32(99), GrpcCode::Unknown);
        assert_eq!(GrpcCode::from_i32(-1), GrpcCode::Unknown);
        assert_eq!(GrpcCode::DeadlineExceeded.name(), "DEADLINE_EXCEEDED");
    }
}
