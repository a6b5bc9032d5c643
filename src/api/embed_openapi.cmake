# Generates a .cpp holding the OpenAPI document as a string (run at build time).
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}.tmp" "#include <string_view>\n\nnamespace ombud::api {\n\nstd::string_view OpenApiDocument() {\n  static constexpr char kDoc[] = R\"ombud_openapi(${content})ombud_openapi\";\n  return {kDoc, sizeof(kDoc) - 1};\n}\n\n}  // namespace ombud::api\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
