// Splitting identifiers into words, shared by risk classification and search:
// "listUserAPIKeys" → list user api keys, "getK8sIntegrationCSR" → get k8s integration csr,
// "/fabrics/{fabricName}/switchActions/preview" → fabrics fabric name switch actions preview.

export function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]{2,})([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
}
