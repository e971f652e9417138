// The JSON engine: each struct's wire form is declared once (key, aliases, member, flags),
// and one generic decoder takes the events of RapidJSON's SAX Reader, reading in situ over
// piece_stream.hpp, straight into the struct while one generic encoder writes with
// RapidJSON's Writer. Neither builds a DOM.
//
// Declaring a struct:
//
//   template <> struct erpbridge::json::Schema<ctc::PartLine> {
//     static void describe(StructBuilder<ctc::PartLine>& s) {
//       s.field("yunmi_code", &ctc::PartLine::yunmi_code);
//       s.field("amount", &ctc::PartLine::amount).number_or_string();
//     }
//   };
//
// Supported member types: std::string, bool, integers, double, Decimal, Date, DateTime,
// Timestamp, Labeled<E>, RawJson, JsonExtras (via extras()), std::optional<T>,
// std::vector<T>, and any struct with a Schema.
//
// Two ways to decode. decode() is strict: any value that does not fit its field fails the
// whole decode (requests we receive, tests). decode_reply() reads a server's reply the way
// DESIGN.md asks: only fields declared strict() (the envelope's success code) can fail it;
// any other field whose value does not fit its type is left empty and reported as a
// DecodeNote with its path and the value as received, and numbers and strings are accepted
// for each other wherever the text fits.
//
// The engine's parts, by role: schema.hpp (descriptions), scalars.hpp and containers.hpp
// (codecs), decoder.hpp (with chunks.hpp and piece_stream.hpp, its input), encoder.hpp,
// utf8.hpp. Code outside src/json includes this file.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "json/containers.hpp"
#include "json/decoder.hpp"
#include "json/encoder.hpp"
#include "json/scalars.hpp"
#include "json/schema.hpp"
