package dev.millrace.event;

/** Where a suspended subscription resumes (SPEC EVT-11). */
public enum ResumeFrom {
    /** From its stored checkpoint: the failing batch is delivered again. */
    CHECKPOINT,
    /** From the channel's tip: retained events not yet handled are skipped. */
    TIP
}
