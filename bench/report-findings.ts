/** The prose half of REPORT.md: findings and proposed fixes (placeholder until the first full run). */
export const FINDINGS = "## Findings\n\n(to be written)\n";
