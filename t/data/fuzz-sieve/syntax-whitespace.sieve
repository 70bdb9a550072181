if
	header
	:contains
	"subject"
	"report"
	{ redirect
	"ws@example.net"
	;
	}
