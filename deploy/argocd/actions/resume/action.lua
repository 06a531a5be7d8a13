-- Undo suspend: the operator scales the versions back up.
obj.spec.suspend = false
return obj
