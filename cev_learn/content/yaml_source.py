"""YAML with line numbers: data from yaml.safe_load, positions from the composed node tree."""
import yaml


class YamlDocument:
    """A parsed YAML text that can say on which line any part of its data starts."""

    def __init__(self, text: str, first_line: int = 1):
        self.first_line = first_line
        self.data = yaml.safe_load(text)
        self._root = yaml.compose(text, Loader=yaml.SafeLoader)

    def line(self, *path) -> int:
        """Line of the value at path (keys and list indexes), or of its nearest known parent."""
        node, line = self._root, self._line_of(self._root)
        for step in path:
            child = self._child(node, step)
            if child is None:
                break
            node, line = child, self._line_of(child)
        return line

    def key_line(self, *path) -> int:
        """Line of the key that ends path (where a mapping entry starts)."""
        parent = self._root
        for step in path[:-1]:
            parent = self._child(parent, step)
            if parent is None:
                return self.line(*path[:-1])
        if isinstance(parent, yaml.MappingNode):
            for key, _value in parent.value:
                if key.value == str(path[-1]):
                    return self._line_of(key)
        return self.line(*path)

    def _line_of(self, node) -> int:
        return (node.start_mark.line if node is not None else 0) + self.first_line

    @staticmethod
    def _child(node, step):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    return value
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(node.value):
                return node.value[step]
        return None


def yaml_error_line(exc: yaml.YAMLError, first_line: int = 1) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line if mark is not None else 0) + first_line


def yaml_error_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    text = " ".join(part for part in (context, problem) if part) or str(exc).splitlines()[0]
    return f"invalid YAML: {text}"
