import sys

from core.cli import main
from core.runtime import use_system_allocator

use_system_allocator()
sys.exit(main())
