// Turning schema failures into messages a person can act on: "where: what is wrong".

import type { z } from 'zod';

export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.map(String).join('.');
    const label = prefix && where ? `${prefix}.${where}` : prefix || where;
    return label ? `${label}: ${issue.message}` : issue.message;
  });
}
