package crm

import "net/http"

func (p *Pages) contactRoutes(mux *http.ServeMux) {}
