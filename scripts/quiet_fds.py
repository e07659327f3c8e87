"""QuietFds: sends file descriptors 1 and 2 to a temporary file while TensorFlow and its converter
print pages of logs; replays the last 20,000 characters on stderr when the block raises. Used by
scripts/gen_zoo.py (the zoo) and profiles/gen/build.py (generated architectures)."""
import os
import sys
import tempfile


class QuietFds:
    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.log = tempfile.TemporaryFile()
        self.saved = [os.dup(1), os.dup(2)]
        os.dup2(self.log.fileno(), 1)
        os.dup2(self.log.fileno(), 2)
        return self

    def __exit__(self, exc_type, *_):
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(self.saved[0], 1)
        os.dup2(self.saved[1], 2)
        for fd in self.saved:
            os.close(fd)
        if exc_type is not None:
            self.log.seek(0)
            sys.stderr.write(self.log.read().decode("utf-8", "replace")[-20000:])
        self.log.close()
        return False
