"""What people see: text/JSON reports of the command line (:mod:`.text`), plots (:mod:`.plotting`)
and the paper's figures (:mod:`.paper`)."""
