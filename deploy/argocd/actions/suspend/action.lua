-- Scale every version to zero; the operator keeps all other objects.
obj.spec.suspend = true
return obj
