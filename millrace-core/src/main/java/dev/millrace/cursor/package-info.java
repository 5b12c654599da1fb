/**
 * Cursors (SPEC.md CUR): the fixed result of a query, copied into the Millrace store when it opens so that later
 * executions, on any node, read the same rows at the positions they choose. Open one inside an execution with
 * {@code ExecutionContext.cursor}, read it with {@link dev.millrace.cursor.Cursor#fetch}; operators set each
 * tenant's {@link dev.millrace.cursor.CursorPolicy} with {@link dev.millrace.cursor.Cursors}, reached with
 * {@code Millrace.cursors()}.
 */
package dev.millrace.cursor;
