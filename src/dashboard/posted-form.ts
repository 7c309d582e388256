import type { Context } from 'hono';

/** A form post's fields; a repeated field (checkboxes) is an array. */
export type PostedForm = Record<string, string | File | (string | File)[]>;

/**
 * The posted form, or null when its body cannot be read as the form its
 * Content-Type names (`multipart/form-data` without a boundary, a broken
 * multipart body): the page then answers 400, never a 500.
 */
export async function readPostedForm(c: Context): Promise<PostedForm | null> {
  try {
    return await c.req.parseBody({ all: true });
  } catch (err) {
    // The body parser's refusal of a malformed body; anything else is ours.
    if (err instanceof TypeError) return null;
    throw err;
  }
}
